// Activities are plain functions closed over their dependencies (samples-typescript style).
import type { Db } from '../db/index.ts';
import { cycleActivities } from './cycles.ts';
import { engagementActivities } from './engagements.ts';

export interface ActivityDeps {
  db: Db;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...engagementActivities(deps.db),
    ...cycleActivities(deps.db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
