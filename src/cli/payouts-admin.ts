import { parseArgs } from 'node:util';
import { ValidationError } from '../domain/errors.ts';
import { withDatabase } from './database.ts';
import { annualRecordsCsv } from '../payouts/queries.ts';

// `kaizen payouts annual-records --year YYYY [--copy payee]`: the 支払調書 CSV on stdout. Uses
// DATABASE_URL, else the dev setup's embedded Postgres (stop `npm run dev` first).
export async function annualRecords(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { year: { type: 'string' }, copy: { type: 'string' } }, strict: true });
  const details = [];
  if (!values.year || !/^\d{4}$/.test(values.year) || Number(values.year) < 2000 || Number(values.year) > 2099) {
    details.push({ path: '--year', message: 'is required: a year 2000-2099' });
  }
  if (values.copy !== undefined && values.copy !== 'tax_office' && values.copy !== 'payee') {
    details.push({ path: '--copy', message: 'must be tax_office or payee' });
  }
  if (details.length) throw new ValidationError(details.map((d) => `${d.path} ${d.message}`).join('; '), details);

  return withDatabase(async (db) => {
    process.stdout.write(await annualRecordsCsv(db, Number(values.year), (values.copy as 'tax_office' | 'payee' | undefined) ?? 'tax_office'));
    return 0;
  });
}
