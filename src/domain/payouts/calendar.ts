// Japanese national holidays (国民の祝日に関する法律: 祝日, 振替休日, 国民の休日) and the due date of
// withheld income tax: the 10th of the following month, moved to the next day when that is a Saturday,
// Sunday, national holiday or 12/29–1/3 (国税通則法10条2項, 施行令2条2項; 1/1–1/3 are 一般の休日).
// Pure integer date arithmetic in UTC; no time zone involved. Rules are implemented for 2000–2099
// (the equinox formula is the usual approximation of the dates announced in the official gazette).

export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2099;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

function toDays(y: number, m: number, d: number): number {
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function fromDays(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

function parseDate(date: string): { y: number; m: number; d: number } {
  const match = DATE_RE.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (fromDays(toDays(y, m, d)) !== date) throw new RangeError(`not a calendar date: ${date}`);
  return { y, m, d };
}

/** 0 = Sunday … 6 = Saturday. */
function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Day of month of the n-th Monday of month m. */
function nthMonday(y: number, m: number, nth: number): number {
  const first = weekday(toDays(y, m, 1));
  const firstMonday = 1 + ((8 - first) % 7);
  return firstMonday + 7 * (nth - 1);
}

/** 春分日 (valid 1980–2099): floor(20.8431 + 0.242194 (Y−1980)) − floor((Y−1980)/4), in integers. */
function vernalEquinoxDay(y: number): number {
  return Math.floor((20_843_100 + 242_194 * (y - 1980)) / 1_000_000) - Math.floor((y - 1980) / 4);
}

/** 秋分日 (valid 1980–2099). */
function autumnalEquinoxDay(y: number): number {
  return Math.floor((23_248_800 + 242_194 * (y - 1980)) / 1_000_000) - Math.floor((y - 1980) / 4);
}

/** 国民の祝日 proper (not substitute or sandwiched days), as [MM-DD, name]. */
function statutoryHolidays(y: number): Array<[number, number, string]> {
  const h: Array<[number, number, string]> = [];
  const add = (m: number, d: number, name: string) => h.push([m, d, name]);
  add(1, 1, '元日');
  add(1, nthMonday(y, 1, 2), '成人の日');
  add(2, 11, '建国記念の日');
  if (y >= 2020) add(2, 23, '天皇誕生日');
  add(3, vernalEquinoxDay(y), '春分の日');
  add(4, 29, y >= 2007 ? '昭和の日' : 'みどりの日');
  if (y === 2019) add(5, 1, '即位の日');
  add(5, 3, '憲法記念日');
  if (y >= 2007) add(5, 4, 'みどりの日');
  add(5, 5, 'こどもの日');
  if (y === 2020) add(7, 23, '海の日');
  else if (y === 2021) add(7, 22, '海の日');
  else if (y >= 2003) add(7, nthMonday(y, 7, 3), '海の日');
  else add(7, 20, '海の日');
  if (y === 2020) add(8, 10, '山の日');
  else if (y === 2021) add(8, 8, '山の日');
  else if (y >= 2016) add(8, 11, '山の日');
  add(9, y >= 2003 ? nthMonday(y, 9, 3) : 15, '敬老の日');
  add(9, autumnalEquinoxDay(y), '秋分の日');
  const sportsName = y >= 2020 ? 'スポーツの日' : '体育の日';
  if (y === 2020) add(7, 24, sportsName);
  else if (y === 2021) add(7, 23, sportsName);
  else add(10, nthMonday(y, 10, 2), sportsName);
  if (y === 2019) add(10, 22, '即位礼正殿の儀の行われる日');
  add(11, 3, '文化の日');
  add(11, 23, '勤労感謝の日');
  if (y <= 2018) add(12, 23, '天皇誕生日');
  return h;
}

const cache = new Map<number, Map<string, string>>();

/** All holidays of a year: date (YYYY-MM-DD) → name, including 振替休日 and 国民の休日. */
export function japaneseHolidays(year: number): Map<string, string> {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new RangeError(`Japanese holidays are implemented for ${FIRST_YEAR}–${LAST_YEAR}, not ${year}`);
  }
  const hit = cache.get(year);
  if (hit) return hit;
  const byDay = new Map<number, string>();
  for (const [m, d, name] of statutoryHolidays(year)) byDay.set(toDays(year, m, d), name);
  const statutory = [...byDay.keys()].sort((a, b) => a - b);
  // 国民の休日: a day that is not a holiday, between two 国民の祝日.
  for (const day of statutory) {
    if (byDay.has(day + 2) && !byDay.has(day + 1) && weekday(day + 1) !== 0) byDay.set(day + 1, '国民の休日');
  }
  // 振替休日: a holiday on a Sunday moves the next non-holiday day (from 2007; before, only the Monday).
  for (const day of statutory) {
    if (weekday(day) !== 0) continue;
    let next = day + 1;
    if (year >= 2007) while (byDay.has(next)) next++;
    if (!byDay.has(next)) byDay.set(next, '振替休日');
  }
  const result = new Map<string, string>();
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) result.set(fromDays(day), byDay.get(day)!);
  cache.set(year, result);
  return result;
}

/** The holiday's name, or undefined when `date` is not a national holiday. */
export function holidayName(date: string): string | undefined {
  const { y } = parseDate(date);
  return japaneseHolidays(y).get(date);
}

export function isJapaneseHoliday(date: string): boolean {
  return holidayName(date) !== undefined;
}

/**
 * A day on which a tax deadline can fall: not a Saturday, Sunday, national holiday, nor 12/29–1/3
 * (国税通則法10条2項 and 施行令2条2項; banks are closed on the same days).
 */
export function isBusinessDay(date: string): boolean {
  const { y, m, d } = parseDate(date);
  const wd = weekday(toDays(y, m, d));
  if (wd === 0 || wd === 6) return false;
  if ((m === 12 && d >= 29) || (m === 1 && d <= 3)) return false;
  return !japaneseHolidays(y).has(date);
}

/** `date` itself if it is a business day, else the next business day. */
export function nextBusinessDay(date: string): string {
  const { y, m, d } = parseDate(date);
  let days = toDays(y, m, d);
  for (;;) {
    const s = fromDays(days);
    if (isBusinessDay(s)) return s;
    days++;
  }
}

const YM_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Due date of income tax withheld in month `yearMonth` (YYYY-MM): the 10th of the following month, or
 * the next business day. 納期の特例 does not cover design fees, so there is no half-yearly variant.
 */
export function withholdingDueDate(yearMonth: string): string {
  const match = YM_RE.exec(yearMonth);
  if (!match) throw new RangeError(`not a YYYY-MM month: ${yearMonth}`);
  let y = Number(match[1]);
  let m = Number(match[2]) + 1;
  if (m === 13) {
    y += 1;
    m = 1;
  }
  return nextBusinessDay(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-10`);
}

/** First and last month a payout run can be opened for (see payoutMonthProblem). */
export const FIRST_PAYOUT_MONTH = `${FIRST_YEAR}-01`;
export const LAST_PAYOUT_MONTH = `${LAST_YEAR}-11`;

/**
 * Why no payout run can exist for `month` (YYYY-MM), as a sentence; undefined when it can. The run's
 * payment date, and the withholding due date (the 10th of the next month), must both fall in the years
 * the holiday rules cover, so the last month is November of LAST_YEAR. The API refuses such a month at
 * the edge and the draft use case refuses it as a rule failure (never a retry).
 */
export function payoutMonthProblem(month: string): string | undefined {
  if (!YM_RE.test(month)) return `${month} is not a month written YYYY-MM.`;
  if (month < FIRST_PAYOUT_MONTH || month > LAST_PAYOUT_MONTH) {
    return `Payout runs exist for months ${FIRST_PAYOUT_MONTH} to ${LAST_PAYOUT_MONTH} only (the tax calendar covers ${FIRST_YEAR}–${LAST_YEAR}); ${month} is outside that range.`;
  }
  return undefined;
}
