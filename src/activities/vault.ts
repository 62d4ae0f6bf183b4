// Activities of the My Number vault: the retention purge (idempotent: deleting what is past its day
// again deletes nothing), run by the daily retention Schedule (src/payouts/retention.ts).
import type { Db } from '../db/index.ts';
import { purgeExpiredMyNumbers } from '../payouts/vault.ts';
import { ruledAll } from './ruled.ts';

export function vaultActivities(db: Db) {
  return ruledAll({
    purgeExpiredMyNumbers: async (i: { today: string }) => ({ deleted: await purgeExpiredMyNumbers(db, i.today) }),
  });
}
