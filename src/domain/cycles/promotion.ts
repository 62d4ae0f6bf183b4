// A winner becomes the page's control, and its observed rate the baseline the next test is planned
// from; the replaced control is kept so that invalidating the verdict later gives it back. While a
// winner is the page's control its change set is served to every visitor (src/site/serving.ts) and a
// new test on the page runs on top of it (onPageControl).
import type { ChangeSet } from '../../shared/changes.ts';
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

/**
 * What an arm of a test shows on a page whose control is a served winner (`base`, null when none):
 * the control shows the winner; a variant is its own change set on top of it (base first, so the
 * variant's mutations, style sheet and script act on the page its author saw). Null: the original page.
 */
export function onPageControl(base: ChangeSet | null, own: ChangeSet | null): ChangeSet | null {
  if (!base || isEmpty(base)) return own;
  if (!own || isEmpty(own)) return base;
  const merged: ChangeSet = {};
  const css = [base.css, own.css].filter(Boolean).join('\n');
  if (css) merged.css = css;
  const mutations = [...(base.mutations ?? []), ...(own.mutations ?? [])];
  if (mutations.length) merged.mutations = mutations;
  const redirect = own.redirect ?? base.redirect;
  if (redirect) merged.redirect = redirect;
  const js = [base.js, own.js].filter(Boolean).join(';\n');
  if (js) merged.js = js;
  return merged;
}

const isEmpty = (c: ChangeSet) => !c.css && !c.mutations?.length && !c.redirect && !c.js;
