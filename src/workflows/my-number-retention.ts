// The My Number vault's retention, started by the daily `my-number-retention` Schedule (03:10
// Asia/Tokyo): deletes every 個人番号 past its retention day (7 years after the last filing that
// carried it). Daily rather than yearly, so a missed run (an outage) is made good the next day.
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { vaultActivities } from '../activities/vault.ts';
import { tokyoDateOf } from '../domain/months.ts';

const acts = proxyActivities<ReturnType<typeof vaultActivities>>({ startToCloseTimeout: '5 minutes', retry: { maximumInterval: '1 minute' } });

export async function myNumberRetentionWorkflow(input: { today?: string } = {}) {
  const today = input.today ?? tokyoDateOf(Date.now());
  setCurrentDetails(`My Number retention as of ${today}`);
  return { today, ...(await acts.purgeExpiredMyNumbers({ today })) };
}
