// Small helpers that collect every bad field (JSON-pointer paths) before throwing one ValidationError.
import { ValidationError } from '../errors.ts';
import type { ErrorDetail } from '../errors.ts';

export class Issues {
  readonly details: ErrorDetail[] = [];
  add(path: string, message: string): void {
    this.details.push({ path, message });
  }
  get any(): boolean {
    return this.details.length > 0;
  }
  throwIfAny(message: string): void {
    if (this.any) throw new ValidationError(message, this.details);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = DATE_RE.exec(v);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

/**
 * The one check of a YYYY-MM-DD date in payouts (payee dates, remittance dates): why `v` is not a real
 * calendar date, as a short phrase naming the format; undefined when it is one (2031-02-30 is not).
 */
export function calendarDateProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || !DATE_RE.test(v)) return 'must be a date written YYYY-MM-DD';
  return isIsoDate(v) ? undefined : `must be a real calendar date; ${v} does not exist`;
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function isNonNegativeYen(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** JSON-pointer escaping of one key. */
export function ptr(...parts: (string | number)[]): string {
  return parts.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
