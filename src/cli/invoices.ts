// `kaizen invoices draft --month YYYY-MM`: drafts the month's invoices with the same use case as the
// invoicing workflow (idempotent: a second run adds nothing) and prints them as JSON.
// `kaizen invoices export --month YYYY-MM [--format csv|json]`: the month's issued invoices for accounting.
// Uses DATABASE_URL, else the dev setup's embedded Postgres (stop `npm run dev` first).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import type { Db } from '../db/index.ts';
import { ValidationError } from '../domain/errors.ts';
import { draftMonth } from '../billing/invoicing.ts';
import { exportMonth, listInvoices } from '../billing/queries.ts';
import { withDatabase } from './database.ts';

const USAGE = 'usage: kaizen invoices draft --month YYYY-MM | kaizen invoices export --month YYYY-MM [--format csv|json]';

export async function invoices(
  args: string[],
  run: <T>(fn: (db: Db) => Promise<T>) => Promise<T> = withDatabase,
  out: (s: string) => void = (s) => void process.stdout.write(s),
): Promise<number> {
  const [op, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { month: { type: 'string' }, format: { type: 'string' } }, strict: true });
  if (op !== 'draft' && op !== 'export') throw new ValidationError(USAGE, [{ path: 'op', message: 'must be draft or export' }]);
  if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
    throw new ValidationError('--month is required: YYYY-MM', [{ path: '--month', message: 'is required: YYYY-MM' }]);
  }
  const format = values.format ?? (op === 'draft' ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json') throw new ValidationError('--format must be csv or json', [{ path: '--format', message: 'must be csv or json' }]);
  const month = values.month;
  const config = loadConfig();
  return run(async (db) => {
    if (op === 'draft') {
      const summary = await draftMonth(db, config.billing, month, null);
      const items = (await listInvoices(db, { role: 'admin', client_id: null }, { month, kind: 'invoice' })).map((i) => ({
        id: i.id, status: i.status, bill_to_kind: i.bill_to_kind, client_id: i.client_id, partner_id: i.partner_id, recipient_name: i.recipient_name,
        subtotal_yen: i.subtotal_yen, tax_yen: i.tax_yen, total_yen: i.total_yen, due_date: i.due_date,
      }));
      out(JSON.stringify({ ...summary, invoices: items }, null, 2) + '\n');
      return 0;
    }
    const x = await exportMonth(db, month);
    out(format === 'csv' ? x.csv : JSON.stringify({ month: x.month, totals: x.totals, invoices: x.invoices }, null, 2) + '\n');
    return 0;
  });
}
