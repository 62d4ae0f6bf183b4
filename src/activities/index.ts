// Activities are plain functions closed over their dependencies (samples-typescript style).
import type { Db } from '../db/index.ts';
import { cycleActivities } from './cycles.ts';
import { engagementActivities } from './engagements.ts';
import { networkActivities } from './network.ts';
import { payoutActivities, type PayoutActivityDeps } from './payouts.ts';
import { billingActivities } from './billing.ts';
import type { BillingConfig } from '../config.ts';

export interface ActivityDeps extends PayoutActivityDeps {
  db: Db;
  /** Billing settings; default: from the config. */
  billing?: BillingConfig;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...engagementActivities(deps.db),
    ...payoutActivities(deps),
    ...cycleActivities(deps.db),
    ...networkActivities(deps.db),
    ...billingActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
