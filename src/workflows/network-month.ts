// The network's month boundary, started by the `network-monthly` Temporal Schedule (day 1, 00:05
// Asia/Tokyo): managed hackers' retainers for the new month (paid in advance) and the grades. Both
// activities write behind unique keys (per contract and month; per hacker and month), so a retry, a
// replay or a second run for the same month changes nothing.
import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { networkActivities } from '../activities/network.ts';
import { tokyoMonthOf } from '../domain/months.ts';
import type { NetworkMonthInput } from '../shared/network.ts';

const acts = proxyActivities<ReturnType<typeof networkActivities>>({ startToCloseTimeout: '5 minutes', retry: { maximumInterval: '1 minute' } });

export async function networkMonthWorkflow(input: NetworkMonthInput = {}) {
  const month = input.month ?? tokyoMonthOf(Date.now());
  setCurrentDetails(`Network month ${month}: managed retainers, grades`);
  const retainers = await acts.accrueManagedRetainers({ month });
  const grades = await acts.recomputeGrades({ month });
  return { month, retainers, grades };
}
