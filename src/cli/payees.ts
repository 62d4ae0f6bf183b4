import { loadConfig } from '../config.ts';
import { resolveBankKey, resolveMyNumberKey } from '../payouts/crypto.ts';
import { rekeyEnvelopes } from '../payouts/rekey.ts';
import { withDatabase } from './database.ts';

const USAGE = 'usage: kaizen payees rekey\n';

// `kaizen payees rekey`: after a key rotation (a new first key in KAIZEN_BANK_KEY or
// KAIZEN_MYNUMBER_KEY, the old ones kept after it), re-encrypts every envelope under an older key with
// the current one; prints the counts per table (never a value). Idempotent: run it again, it finds nothing.
export async function payees(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'rekey' || rest.length) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig();
  const keys = { bankKey: resolveBankKey(config), myNumberKey: resolveMyNumberKey(config) };
  return withDatabase(async (db) => {
    process.stdout.write(`${JSON.stringify(await rekeyEnvelopes(db, keys))}\n`);
    return 0;
  });
}
