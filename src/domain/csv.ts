// The one CSV writer and the one CSV reader of the project (csv-stringify, csv-parse): every export and
// every file import goes through them. The writer neutralises spreadsheet formulas (OWASP "CSV
// injection"): a text cell that starts with = + - @, a tab or a carriage return gets a leading `'`, so
// Excel shows it as text instead of running it. Which cells are text is decided per column: numbers
// and dates are written as they are (an amount of -4400 stays a number).
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ValidationError } from './errors.ts';

/**
 * How a column is written. `text`: anything a person typed or the system named (names, descriptions,
 * codes) — neutralised. `number`: JS numbers as they are. `date`: YYYY-MM(-DD) strings as they are.
 * A value that is not what its number/date column says is written as text (so neutralised too).
 */
export type CsvKind = 'text' | 'number' | 'date';
export type CsvColumn = readonly [name: string, kind: CsvKind];
export type CsvValue = string | number | bigint | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const DATE = /^\d{4}-\d{2}(-\d{2})?$/;

/** The OWASP neutralisation: a `'` before a cell a spreadsheet would read as a formula. */
function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function cell(value: CsvValue, kind: CsvKind): string {
  if (value === null || value === undefined) return '';
  if (kind === 'number' && (typeof value === 'number' || typeof value === 'bigint')) return String(value);
  if (kind === 'date' && typeof value === 'string' && DATE.test(value)) return value;
  return neutraliseFormula(String(value));
}

/**
 * CSV text: a header row of the column names, then `rows` (one value per column, in order); CRLF
 * after every row; a cell is quoted when it holds a comma, a quote or a line break (quotes doubled).
 * `bom`: start with a UTF-8 BOM (Excel then opens Japanese correctly).
 */
export function writeCsv(columns: readonly CsvColumn[], rows: readonly (readonly CsvValue[])[], opts: { bom?: boolean } = {}): string {
  const records = rows.map((r) => columns.map(([, kind], i) => cell(r[i], kind)));
  return stringify([columns.map(([name]) => name), ...records], { bom: opts.bom ?? false, record_delimiter: '\r\n', quoted_match: /[\r\n]/ });
}

export interface CsvRecord {
  /** The record's first line in the file, counting from 1 (the header is line 1; blank lines count). */
  line: number;
  cells: string[];
}

/**
 * Reads CSV text (an optional UTF-8 BOM; CRLF, LF or CR line ends) into records with their line in the
 * file; cells are trimmed, blank lines and lines of empty cells are skipped. Text that is not CSV (an
 * unclosed quote, a stray quote) throws a ValidationError naming `/line/<n>`.
 */
export function readCsv(text: string): CsvRecord[] {
  // One line end, so the reader's line count is the one a person sees (quoted line breaks become LF).
  const normalised = text.replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(normalised, { bom: true, record_delimiter: '\n', relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as typeof records;
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const line = (err as CsvError & { lines?: number }).lines ?? 1;
    throw new ValidationError(`CSV line ${line}: ${err.message}`, [{ path: `/line/${line}`, message: `is not readable CSV: ${err.message}` }]);
  }
  return records
    .filter((r) => r.record.some((c) => c !== ''))
    .map((r) => ({ line: r.info.lines - r.record.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0), cells: r.record }));
}
