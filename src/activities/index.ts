// Activities are plain functions closed over their dependencies (samples-typescript style): the
// configuration comes in with them, from whoever started the worker (src/stack.ts); no activity reads
// the environment.
import type { Db } from '../db/index.ts';
import { cycleActivities } from './cycles.ts';
import { engagementActivities } from './engagements.ts';
import { networkActivities } from './network.ts';
import { notifyActivities } from './notify.ts';
import { payoutActivities, type PayoutActivityDeps } from './payouts.ts';
import { billingActivities } from './billing.ts';
import { renderRecordActivities } from './renders.ts';
import { vaultActivities } from './vault.ts';
import { webhookActivities } from './webhooks.ts';

/** `config` (loaded once by the process), and optionally a bank key and adapter that override it. */
export interface ActivityDeps extends PayoutActivityDeps {
  db: Db;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...engagementActivities(deps.db),
    ...payoutActivities(deps),
    ...cycleActivities(deps.db, deps.config.noTrafficHours),
    ...networkActivities(deps.db),
    ...billingActivities(deps),
    ...renderRecordActivities(deps.db),
    ...vaultActivities(deps.db),
    ...notifyActivities(deps),
    ...webhookActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
