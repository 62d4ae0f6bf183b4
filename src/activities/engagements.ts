import type { Db } from '../db/index.ts';
import type { RecordStatusInput } from '../shared/engagements.ts';

// Both activities are plain idempotent UPDATEs: a retry or a replay writes the same row again.
export function engagementActivities(db: Db) {
  return {
    async recordEngagementStatus(input: RecordStatusInput): Promise<void> {
      await db
        .updateTable('engagements')
        .set({
          status: input.status,
          end_reason: input.reason ?? null,
          ...(input.status === 'ending' ? { ends_at: input.effectiveAt } : {}),
          ...(input.status === 'ended' ? { ended_at: input.effectiveAt } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', input.engagementId)
        // An ended engagement never comes back to life through a late retry.
        .where('status', '!=', 'ended')
        .execute();
    },

    async recordEngagementMonth(input: { engagementId: number; month: string }): Promise<void> {
      await db
        .updateTable('engagements')
        .set({ current_month: input.month, updated_at: new Date() })
        .where('id', '=', input.engagementId)
        .where((eb) => eb.or([eb('current_month', 'is', null), eb('current_month', '<', input.month)]))
        .execute();
    },
  };
}
