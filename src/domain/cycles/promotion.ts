// A winner becomes the page's control, and its observed rate the baseline the next test is planned
// from; the replaced control is kept so that invalidating the verdict later gives it back.
import type { PageControl } from '../../shared/cycles.ts';

export interface WinnerArm {
  title: string;
  n: number;
  conversions: number;
  binomial: boolean;
}

/** The page's new control after a win (the baseline changes only for a usable conversion rate). */
export function promotedControl(current: PageControl, winner: WinnerArm, testId: number): PageControl {
  const rate = winner.n > 0 ? winner.conversions / winner.n : 0;
  return {
    description: winner.title,
    baseline_rate: winner.binomial && rate > 0 && rate < 1 ? rate : current.baseline_rate,
    since_test_id: testId,
  };
}

/**
 * What the page goes back to when test `testId`'s verdict is invalidated: the control it replaced,
 * but only while the page still shows this test's winner (a later winner stays).
 */
export function restoredControl(current: PageControl, replaced: PageControl | null, testId: number): PageControl | null {
  if (!replaced || current.since_test_id !== testId) return null;
  return replaced;
}
