// Transfer states (pure): which result may follow which state, and when finance may retry, move or
// cancel an item. One place for these rules: the use cases (src/payouts/transfers.ts) and the item
// view's actions (src/api/access.ts) both ask here. Dependency-free: workflow code may import it.
import type { PayoutItemStatus, TransferOutcome } from '../../shared/payouts.ts';

export type ItemResolution = 'moved' | 'cancelled' | null;
export type ItemAction = 'retry' | 'move_to_next_run' | 'cancel';

/** Items whose transfer did not reach the payee: they need a resolution. */
export const UNPAID_RESULT_STATUSES: readonly PayoutItemStatus[] = ['failed', 'returned'];

/** A failed or returned item nobody has resolved yet (it keeps its run `needs_attention`). */
export function needsResolution(status: PayoutItemStatus, resolution: ItemResolution): boolean {
  return UNPAID_RESULT_STATUSES.includes(status) && resolution == null;
}

/**
 * Why `outcome` cannot be recorded for an item in `status`; undefined when it can. A transfer handed
 * to the bank gets any result; a confirmed one can still come back (組戻し: returned).
 */
export function transferResultRefusal(itemId: number, status: PayoutItemStatus, outcome: TransferOutcome): string | undefined {
  if (status === 'handed_to_bank') return undefined;
  if (status === 'confirmed' && outcome === 'returned') return undefined;
  return `Item ${itemId} is ${status}; a ${outcome} result applies only to a transfer handed to the bank${outcome === 'returned' ? ' or confirmed' : ''}.`;
}

/** Why finance cannot `action` the item now; undefined when it can. */
export function itemActionRefusal(itemId: number, status: PayoutItemStatus, resolution: ItemResolution, action: ItemAction): string | undefined {
  if (!UNPAID_RESULT_STATUSES.includes(status)) return `Item ${itemId} is ${status}; only a failed or returned transfer can be ${ACTION_WORD[action]}.`;
  if (resolution != null) return `Item ${itemId} was already ${resolution === 'moved' ? 'moved to the next run' : 'cancelled'}.`;
  return undefined;
}

const ACTION_WORD: Record<ItemAction, string> = { retry: 'retried', move_to_next_run: 'moved to the next run', cancel: 'cancelled' };
