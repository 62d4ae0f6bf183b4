import { describe, expect, it } from 'vitest';
import {
  holidayName,
  isBusinessDay,
  isJapaneseHoliday,
  japaneseHolidays,
  nextBusinessDay,
  withholdingDueDate,
} from '../../../src/domain/payouts/index.ts';

// Cabinet Office published holiday lists (内閣府「国民の祝日について」), checked by hand.
const PUBLISHED: Record<number, string[]> = {
  2019: ['01-01', '01-14', '02-11', '03-21', '04-29', '04-30', '05-01', '05-02', '05-03', '05-04', '05-05', '05-06', '07-15', '08-11', '08-12', '09-16', '09-23', '10-14', '10-22', '11-03', '11-04', '11-23'],
  2020: ['01-01', '01-13', '02-11', '02-23', '02-24', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06', '07-23', '07-24', '08-10', '09-21', '09-22', '11-03', '11-23'],
  2021: ['01-01', '01-11', '02-11', '02-23', '03-20', '04-29', '05-03', '05-04', '05-05', '07-22', '07-23', '08-08', '08-09', '09-20', '09-23', '11-03', '11-23'],
  2024: ['01-01', '01-08', '02-11', '02-12', '02-23', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06', '07-15', '08-11', '08-12', '09-16', '09-22', '09-23', '10-14', '11-03', '11-04', '11-23'],
  2025: ['01-01', '01-13', '02-11', '02-23', '02-24', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06', '07-21', '08-11', '09-15', '09-23', '10-13', '11-03', '11-23', '11-24'],
  2026: ['01-01', '01-12', '02-11', '02-23', '03-20', '04-29', '05-03', '05-04', '05-05', '05-06', '07-20', '08-11', '09-21', '09-22', '09-23', '10-12', '11-03', '11-23'],
  2027: ['01-01', '01-11', '02-11', '02-23', '03-21', '03-22', '04-29', '05-03', '05-04', '05-05', '07-19', '08-11', '09-20', '09-23', '10-11', '11-03', '11-23'],
};

describe('Japanese national holidays', () => {
  for (const [year, days] of Object.entries(PUBLISHED)) {
    it(`${year} matches the published list`, () => {
      expect([...japaneseHolidays(Number(year)).keys()]).toEqual(days.map((d) => `${year}-${d}`));
    });
  }

  it('names substitute and sandwiched days', () => {
    expect(holidayName('2026-05-06')).toBe('振替休日');
    expect(holidayName('2026-09-22')).toBe('国民の休日');
    expect(holidayName('2027-01-11')).toBe('成人の日');
    expect(holidayName('2026-07-24')).toBeUndefined();
    expect(isJapaneseHoliday('2027-03-22')).toBe(true);
  });

  it('every year 2000–2099 has 15–22 holidays and none on Sundays except statutory ones', () => {
    for (let y = 2000; y <= 2099; y++) {
      const h = japaneseHolidays(y);
      expect(h.size).toBeGreaterThanOrEqual(15);
      expect(h.size).toBeLessThanOrEqual(22);
      for (const [d, name] of h) {
        if (name === '振替休日' || name === '国民の休日') expect(new Date(`${d}T00:00:00Z`).getUTCDay()).not.toBe(0);
      }
    }
  });

  it('years outside 2000–2099 are refused', () => {
    expect(() => japaneseHolidays(1999)).toThrow(RangeError);
    expect(() => japaneseHolidays(2100)).toThrow(RangeError);
  });
});

describe('business days (国税通則法10条2項)', () => {
  it.each([
    ['2026-07-24', true], // Friday
    ['2026-07-25', false], // Saturday
    ['2026-07-26', false], // Sunday
    ['2026-07-20', false], // 海の日
    ['2026-12-28', true],
    ['2026-12-29', false],
    ['2026-12-30', false],
    ['2026-12-31', false],
    ['2027-01-01', false],
    ['2027-01-04', true],
    ['2028-01-03', false], // Monday, but 1/3
    ['2028-01-04', true],
  ])('%s → %s', (d, expected) => expect(isBusinessDay(d)).toBe(expected));

  it('nextBusinessDay', () => {
    expect(nextBusinessDay('2026-07-24')).toBe('2026-07-24');
    expect(nextBusinessDay('2026-12-29')).toBe('2027-01-04');
    expect(nextBusinessDay('2026-09-19')).toBe('2026-09-24'); // Sat, Sun, 敬老の日, 国民の休日, 秋分の日
    expect(() => nextBusinessDay('2026-02-30')).toThrow(RangeError);
  });
});

describe('withholding due date (10th of the next month, or the next business day)', () => {
  it.each([
    ['2026-12', '2027-01-12'], // 1/10 Sunday, 1/11 成人の日
    ['2025-12', '2026-01-13'], // 1/10 Saturday, 1/11 Sunday, 1/12 成人の日
    ['2026-07', '2026-08-10'], // Monday
    ['2026-01', '2026-02-10'], // Tuesday
    ['2026-04', '2026-05-11'], // 5/10 Sunday
    ['2026-09', '2026-10-13'], // 10/10 Saturday, 10/11 Sunday, 10/12 スポーツの日
    ['2026-02', '2026-03-10'],
    ['2027-06', '2027-07-12'], // 7/10 Saturday
    ['2028-12', '2029-01-10'], // Wednesday
  ])('tax withheld in %s is due %s', (ym, due) => expect(withholdingDueDate(ym)).toBe(due));

  it('is never before the 10th, never a weekend/holiday/12-29..1-3, within a week of the 10th', () => {
    for (let y = 2013; y <= 2060; y++) {
      for (let m = 1; m <= 12; m++) {
        const ym = `${y}-${String(m).padStart(2, '0')}`;
        const due = withholdingDueDate(ym);
        expect(isBusinessDay(due)).toBe(true);
        const day = Number(due.slice(8));
        expect(day).toBeGreaterThanOrEqual(10);
        expect(day).toBeLessThanOrEqual(16);
        const nextM = m === 12 ? 1 : m + 1;
        expect(Number(due.slice(5, 7))).toBe(nextM);
        for (let d = 10; d < day; d++) {
          expect(isBusinessDay(`${due.slice(0, 8)}${String(d).padStart(2, '0')}`)).toBe(false);
        }
      }
    }
  });

  it.each(['2026-13', '2026-7', '26-07', '2026-07-01', ''])('rejects %j', (ym) => {
    expect(() => withholdingDueDate(ym)).toThrow(RangeError);
  });
});
