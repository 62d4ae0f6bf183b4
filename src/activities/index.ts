// Activities are plain functions closed over their dependencies (samples-typescript style).
import type { Db } from '../db/index.ts';
import { cycleActivities } from './cycles.ts';
import { engagementActivities } from './engagements.ts';
import { payoutActivities, type PayoutActivityDeps } from './payouts.ts';

export interface ActivityDeps extends PayoutActivityDeps {
  db: Db;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...engagementActivities(deps.db),
    ...payoutActivities(deps),
    ...cycleActivities(deps.db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
