// Months are Asia/Tokyo calendar months, written "YYYY-MM". Japan has no daylight saving time, so a
// Tokyo month starts at a fixed UTC+9 offset; this module is pure and safe inside workflows.

const TOKYO_OFFSET_MS = 9 * 60 * 60 * 1000;
const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export type YearMonth = string;

function parse(month: YearMonth): { y: number; m: number } {
  const match = MONTH_RE.exec(month);
  if (!match) throw new RangeError(`not a YYYY-MM month: ${month}`);
  return { y: Number(match[1]), m: Number(match[2]) };
}

function format(y: number, m: number): YearMonth {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

/** UTC epoch ms at which the Tokyo month begins (00:00 JST on the 1st). */
export function monthStartUtcMs(month: YearMonth): number {
  const { y, m } = parse(month);
  return Date.UTC(y, m - 1, 1) - TOKYO_OFFSET_MS;
}

export function addMonths(month: YearMonth, n: number): YearMonth {
  const { y, m } = parse(month);
  const index = y * 12 + (m - 1) + n;
  return format(Math.floor(index / 12), (index % 12) + 1);
}

/** UTC epoch ms at which the month ends (= the next month begins). */
export function monthEndUtcMs(month: YearMonth): number {
  return monthStartUtcMs(addMonths(month, 1));
}

/** The Tokyo calendar month containing the instant. */
export function tokyoMonthOf(epochMs: number): YearMonth {
  const d = new Date(epochMs + TOKYO_OFFSET_MS);
  return format(d.getUTCFullYear(), d.getUTCMonth() + 1);
}

/** The Tokyo calendar date (YYYY-MM-DD) containing the instant. */
/** The hour of the day (0–23) in Asia/Tokyo at `epochMs` (the daily digest's local hour). */
export function tokyoHourOf(epochMs: number): number {
  return new Date(epochMs + TOKYO_OFFSET_MS).getUTCHours();
}

export function tokyoDateOf(epochMs: number): string {
  return new Date(epochMs + TOKYO_OFFSET_MS).toISOString().slice(0, 10);
}
