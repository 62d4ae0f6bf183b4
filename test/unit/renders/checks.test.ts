// The automatic checks of a render (src/domain/renders/checks.ts) over measured pages.
import { describe, expect, it } from 'vitest';
import { changeSetSelectors, renderChecks, VISIBLE_CHANGE_MIN_SHARE, type PageMeasure } from '../../../src/domain/renders/checks.ts';

const page = (p: Partial<PageMeasure> = {}): PageMeasure => ({ pageErrors: [], consoleErrors: [], selectorMatches: {}, scrollWidth: 390, viewportWidth: 390, ...p });
const noDiff = { changedPixels: 0, comparedPixels: 1_000_000, heightsDiffer: false };
const changed = { changedPixels: 2_000, comparedPixels: 1_000_000, heightsDiffer: false };
const byName = (checks: ReturnType<typeof renderChecks>) => Object.fromEntries(checks.map((c) => [c.name, c]));

describe('render checks', () => {
  it('a clean variant that changed something passes every check; pc has no overflow check', () => {
    const m = page({ selectorMatches: { '#headline': 1 } });
    expect(renderChecks('phone', m, m, changed).map((c) => [c.name, c.ok])).toEqual([
      ['page_errors', true], ['console_errors', true], ['unmatched_selectors', true], ['overflow', true], ['visible_change', true],
    ]);
    expect(renderChecks('pc', m, m, changed).map((c) => c.name)).not.toContain('overflow');
  });

  it('counts only the errors the variant added to the page’s own', () => {
    const c = byName(renderChecks('pc', page({ pageErrors: ['x is undefined'], consoleErrors: ['404 /logo.png'] }), page({ pageErrors: ['x is undefined', 'y is not a function'], consoleErrors: ['404 /logo.png'] }), changed));
    expect(c.page_errors).toEqual({ name: 'page_errors', ok: false, details: ['count:1', 'y is not a function'] });
    expect(c.console_errors!.ok).toBe(true);
  });

  it('a selector is unmatched only when neither page has it (removed: control only; inserted: variant only); invalid ones too', () => {
    const control = page({ selectorMatches: { '#gone': 1, '#new': 0, '#typo': 0, 'a[': -1 } });
    const variant = page({ selectorMatches: { '#gone': 0, '#new': 2, '#typo': 0, 'a[': -1 } });
    expect(byName(renderChecks('pc', control, variant, changed)).unmatched_selectors).toEqual({ name: 'unmatched_selectors', ok: false, details: ['#typo', 'a['] });
  });

  it('flags a horizontal scroll at phone width', () => {
    expect(byName(renderChecks('phone', page(), page({ scrollWidth: 391 }), changed)).overflow).toEqual({ name: 'overflow', ok: false, details: ['scroll_width:391', 'viewport_width:390'] });
  });

  it('no visible change below the threshold share, unless the height changed', () => {
    const below = { ...noDiff, changedPixels: Math.floor(VISIBLE_CHANGE_MIN_SHARE * 1_000_000) - 1 };
    expect(byName(renderChecks('pc', page(), page(), below)).visible_change!.ok).toBe(false);
    expect(byName(renderChecks('pc', page(), page(), { ...below, changedPixels: below.changedPixels + 1 })).visible_change!.ok).toBe(true);
    expect(byName(renderChecks('pc', page(), page(), { ...noDiff, heightsDiffer: true })).visible_change).toEqual({
      name: 'visible_change', ok: true, details: ['changed_share:0.000000', 'changed_pixels:0', 'height_changed'],
    });
  });

  it('the selectors of a change set: each once, with a move’s target', () => {
    expect(changeSetSelectors([{ selector: '#a', action: 'set_text' }, { selector: '#b', action: 'move_before', target: '#c' }, { selector: '#a', action: 'remove' }])).toEqual(['#a', '#b', '#c']);
  });
});
