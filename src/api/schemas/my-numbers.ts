// Shapes of the My Number vault (a hacker's 個人番号: write-only for the hacker, read by finance with
// the permission) and of the annual 支払調書 (statutory records) routes.
import { Type } from 'typebox';
import { LAST_YEAR } from '../../domain/payouts/calendar.ts';
import { Id, Nullable, Timestamp } from './common.ts';

const closed = { additionalProperties: false } as const;

export const MyNumberBody = Type.Object(
  { my_number: Type.String({ pattern: '^[0-9]{12}$', description: '個人番号: 12 digits, the last a check digit (never answered back)' }) },
  { ...closed, examples: [{ my_number: '123456789018' }] },
);

export const MyNumberStatus = Type.Object(
  {
    hacker_id: Id,
    on_file: Type.Boolean({ description: 'whether a 個人番号 is on file (the number itself is never answered)' }),
    submitted_at: Nullable(Timestamp),
  },
  closed,
);

export const MyNumberReadBody = Type.Object(
  { purpose: Type.String({ minLength: 1, maxLength: 500, description: 'why it is read; logged with the reader and time' }) },
  { ...closed, examples: [{ purpose: '2026年分 支払調書の番号確認' }] },
);

export const MyNumberRead = Type.Object({ hacker_id: Id, my_number: Nullable(Type.String({ pattern: '^[0-9]{12}$' })) }, closed);

export const MyNumberAccessBody = Type.Object(
  { granted: Type.Boolean({ description: 'grant (true) or withdraw (false) the My Number read permission' }) },
  { ...closed, examples: [{ granted: true }] },
);

export const MyNumberAccess = Type.Object({ user_id: Id, my_number_access: Type.Boolean() }, closed);

/**
 * 年分: 令和 years only (the 309 record writes the year in 令和), up to the last whose due date (31 January
 * of the next year, moved past holidays) the tax calendar covers.
 */
export const StatutoryYear = Type.Integer({ minimum: 2019, maximum: LAST_YEAR - 1, description: 'calendar year of the payments (by payment date)' });
export const YearParams = Type.Object({ year: StatutoryYear }, closed);
export const PayeeYearParams = Type.Object({ id: Id, year: StatutoryYear }, closed);

export const StatutorySummary = Type.Object(
  {
    year: Type.Integer(),
    statements: Type.Integer({ description: 'statements due for the year (per payee and category, over ¥50,000)' }),
    statements_two_years_before: Type.Integer({ description: 'statements due for the year before last: the e-filing test looks at these' }),
    e_filing_threshold: Type.Integer(),
    e_filing_mandatory: Type.Boolean(),
    due_date: Type.String({ description: 'the filing due date (YYYY-MM-DD)' }),
  },
  closed,
);
