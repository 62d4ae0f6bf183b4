// Billing dates: service periods (Asia/Tokyo months), days an engagement ran in a month, and payment
// due dates per client terms with the bank-holiday shift (weekends, national holidays, 12/31–1/3).
import { isJapaneseHoliday } from '../payouts/calendar.ts';
import { addMonths, monthStartUtcMs, tokyoDateOf } from '../months.ts';

const DAY_MS = 86_400_000;

export function daysInMonth(month: string): number {
  return Math.round((monthStartUtcMs(addMonths(month, 1)) - monthStartUtcMs(month)) / DAY_MS);
}

export function firstDay(month: string): string {
  return `${month}-01`;
}

export function lastDay(month: string): string {
  return `${month}-${String(daysInMonth(month)).padStart(2, '0')}`;
}

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Days of `month` an engagement ran: every Tokyo calendar day from the 1st through the day it ended
 * (the end day counts). `endedAtMs` undefined or at/after the month's end → the whole month; at/before
 * its start → 0.
 */
export function daysRan(month: string, endedAtMs: number | undefined): number {
  const all = daysInMonth(month);
  if (endedAtMs === undefined || endedAtMs >= monthStartUtcMs(addMonths(month, 1))) return all;
  if (endedAtMs <= monthStartUtcMs(month)) return 0;
  return Number(tokyoDateOf(endedAtMs).slice(8, 10));
}

/** A bank business day: not Saturday/Sunday, not a national holiday, not 12/31–1/3. */
export function isBankBusinessDay(date: string): boolean {
  const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (wd === 0 || wd === 6) return false;
  const md = date.slice(5);
  if (md === '12-31' || md === '01-01' || md === '01-02' || md === '01-03') return false;
  return !isJapaneseHoliday(date);
}

export type HolidayShift = 'previous' | 'next';

export function shiftToBusinessDay(date: string, shift: HolidayShift): string {
  let d = date;
  while (!isBankBusinessDay(d)) d = addDays(d, shift === 'next' ? 1 : -1);
  return d;
}

export interface PaymentTerms {
  /** `next_month_end` (月末締め翌月末払い, default) or `days_after_close` (due N days after month end). */
  due_rule: 'next_month_end' | 'days_after_close';
  due_days: number;
  holiday_shift: HolidayShift;
}

export const DEFAULT_TERMS: PaymentTerms = { due_rule: 'next_month_end', due_days: 30, holiday_shift: 'previous' };

/** Due date of the invoice for service month `month` (closed at month end). */
export function dueDate(month: string, terms: PaymentTerms): string {
  const raw = terms.due_rule === 'next_month_end' ? lastDay(addMonths(month, 1)) : addDays(lastDay(month), terms.due_days);
  return shiftToBusinessDay(raw, terms.holiday_shift);
}

export function termsLabelJa(terms: PaymentTerms): string {
  const base = terms.due_rule === 'next_month_end' ? '月末締め翌月末払い' : `月末締め${terms.due_days}日後払い`;
  return `${base}（金融機関休業日は${terms.holiday_shift === 'previous' ? '前営業日' : '翌営業日'}）`;
}
