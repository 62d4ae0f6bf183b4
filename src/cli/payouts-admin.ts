import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createDb } from '../db/index.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { ValidationError } from '../domain/errors.ts';
import { startInfrastructure } from '../infra/index.ts';
import { createLogger } from '../logger.ts';
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

  const config = loadConfig();
  const log = createLogger({ ...config, logPretty: false, logLevel: 'warn' });
  const infra = config.databaseUrl ? undefined : await startInfrastructure(config, log, { temporal: false });
  const db = createDb(config.databaseUrl ?? infra!.databaseUrl, 1);
  try {
    if (infra) await migrateToLatest(db);
    process.stdout.write(await annualRecordsCsv(db, Number(values.year), (values.copy as 'tax_office' | 'payee' | undefined) ?? 'tax_office'));
    return 0;
  } finally {
    await db.destroy();
    await infra?.stop();
  }
}
