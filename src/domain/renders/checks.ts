// The automatic checks of a render (issue 23 item 2): pure rules over what src/renders/render.ts
// measured in the browser. Details are codes and numbers, never prose: the web renders them in the
// reader's language.

export type RenderCheckName = 'page_errors' | 'console_errors' | 'unmatched_selectors' | 'overflow' | 'visible_change';

export interface RenderCheck {
  name: RenderCheckName;
  ok: boolean;
  details: string[];
}

/** Below this share of changed pixels (over the area both images cover) the variant shows no visible change. */
export const VISIBLE_CHANGE_MIN_SHARE = 0.00002;
/** pixelmatch's per-pixel colour threshold (0-1): anti-aliasing noise below it is not a change. */
export const PIXEL_THRESHOLD = 0.1;
/** How many error messages / selectors a check's details keep (and how long a message may be). */
const KEEP = 5;
const MESSAGE_CHARS = 200;

/** What render.ts measured on one page (control or variant). */
export interface PageMeasure {
  /** Uncaught exceptions (pageerror) and console.error messages, in order. */
  pageErrors: string[];
  consoleErrors: string[];
  /** Elements each selector of the change set matches on this page (-1: not a valid selector). */
  selectorMatches: Record<string, number>;
  /** The document's width and the layout viewport's (clientWidth: 390 px on a phone page with a viewport meta tag, 980 px without one). */
  scrollWidth: number;
  viewportWidth: number;
}

/** The difference between the control's and the variant's images (pixelmatch over their common area). */
export interface ImageDiff {
  changedPixels: number;
  comparedPixels: number;
  /** The two pages' heights differ (the images do, whatever the common area shows). */
  heightsDiffer: boolean;
}

/** The selectors a change set's mutations name: each mutation's own and a move's target. */
export function changeSetSelectors(mutations: readonly { selector: string; action: string; target?: string }[]): string[] {
  return [...new Set(mutations.flatMap((m) => (m.action === 'move_before' && m.target ? [m.selector, m.target] : [m.selector])))];
}

// Errors the control raises too are the page's own, not the variant's doing.
function newErrors(name: 'page_errors' | 'console_errors', control: string[], variant: string[]): RenderCheck {
  const before = new Set(control);
  const added = [...new Set(variant.filter((m) => !before.has(m)))];
  return { name, ok: added.length === 0, details: added.length ? [`count:${added.length}`, ...added.slice(0, KEEP).map((m) => m.slice(0, MESSAGE_CHARS))] : [] };
}

/**
 * The checklist of one width. A selector counts as matched when it matches on either page: a removed
 * element is found only in the control, an element the variant inserted only in the variant.
 */
export function renderChecks(device: 'pc' | 'phone', control: PageMeasure, variant: PageMeasure, diff: ImageDiff): RenderCheck[] {
  const unmatched = Object.keys(variant.selectorMatches).filter((s) => (control.selectorMatches[s] ?? 0) <= 0 && (variant.selectorMatches[s] ?? 0) <= 0);
  const share = diff.comparedPixels > 0 ? diff.changedPixels / diff.comparedPixels : 0;
  const checks: RenderCheck[] = [
    newErrors('page_errors', control.pageErrors, variant.pageErrors),
    newErrors('console_errors', control.consoleErrors, variant.consoleErrors),
    { name: 'unmatched_selectors', ok: unmatched.length === 0, details: unmatched.slice(0, KEEP * 4) },
  ];
  // A horizontal scroll breaks a phone layout; on a PC a wide page is the site's own design.
  if (device === 'phone') {
    const overflowing = variant.scrollWidth > variant.viewportWidth;
    checks.push({ name: 'overflow', ok: !overflowing, details: overflowing ? [`scroll_width:${variant.scrollWidth}`, `viewport_width:${variant.viewportWidth}`] : [] });
  }
  checks.push({
    name: 'visible_change',
    ok: diff.heightsDiffer || share >= VISIBLE_CHANGE_MIN_SHARE,
    details: [`changed_share:${share.toFixed(6)}`, `changed_pixels:${diff.changedPixels}`, ...(diff.heightsDiffer ? ['height_changed'] : [])],
  });
  return checks;
}
