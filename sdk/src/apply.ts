// Applies the visitor's arm's change set (src/shared/changes.ts) to the client's page before first
// paint. DOM mutations go through dom-mutator (the library GrowthBook's SDK uses): it watches for
// elements that appear later and re-applies a change a client-side framework's re-render undid.
// Mapping of the contract's actions (docs/changes.md, "The SDK on a client's page"):
//   set_text          → html(selector, () => escaped text)
//   set_attribute     → attribute(selector, name, () => value); remove_attribute → … () => null
//   add/remove_class  → classes(selector, add/delete)
//   set_style         → attribute(selector, 'style', existing + '; ' + value)
//   insert_html       → inside_start/inside_end: html(selector, value + html / html + value);
//                       before/after: a <kz-insert style="display:contents"> sibling, put back when
//                       a re-render drops it (dom-mutator only edits an element's own content)
//   remove            → `selector{display:none!important}` in the change set's style sheet: hidden,
//                       not detached, so a framework that owns the node never loses it
//   move_before       → position(selector, parent of `target`, before `target`) (the first match)
//   css               → a <style> element; js → a <script> element (served only once approved)
//   redirect          → location.replace before paint, the visitor's query string kept, no loop
// dom-mutator's index.d.ts uses the names its types.d.ts declares globally without importing it.
/// <reference path="../../node_modules/dom-mutator/dist/types.d.ts" />
import mutate from 'dom-mutator';
import type { ChangeSet, Mutation } from '../../src/shared/changes.ts';
import { assign } from './rule.ts';
import type { SiteConfig } from './index.ts';

/** Whether a test's page URL is this page (same host and path; query and hash aside). */
export function onPage(pageUrl: string, here: { host: string; pathname: string } = location): boolean {
  try {
    const u = new URL(pageUrl);
    const path = (p: string) => p.replace(/\/+$/, '') || '/';
    return u.host === here.host && path(u.pathname) === path(here.pathname);
  } catch {
    return false;
  }
}

/**
 * The anti-flicker guard: hides the page (opacity 0, layout kept) from now until `lift()` or `ms`
 * milliseconds, whichever first, then shows whatever is ready. `whenLifted` resolves then.
 */
export function guard(ms: number): { lift: () => void; lifted: Promise<void> } {
  const style = document.createElement('style');
  style.textContent = 'html{opacity:0!important}';
  (document.head || document.documentElement).appendChild(style);
  let lift!: () => void;
  const lifted = new Promise<void>((resolve) => {
    lift = () => {
      style.remove();
      resolve();
    };
  });
  setTimeout(lift, ms);
  return { lift, lifted };
}

const matches = (selector: string): boolean => {
  try {
    return !!document.querySelector(selector);
  } catch {
    return false; // an invalid selector never matches: reported as an apply failure
  }
};

const text = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

let seq = 0;

// insert_html before/after: one marked sibling per matched element, re-inserted when missing.
function adjacent(selector: string, where: 'before' | 'after', html: string): () => void {
  const mark = `i${++seq}`;
  const run = () => {
    let els: NodeListOf<Element>;
    try {
      els = document.querySelectorAll(selector);
    } catch {
      return;
    }
    els.forEach((el) => {
      const sibling = where === 'before' ? el.previousElementSibling : el.nextElementSibling;
      if (sibling?.getAttribute('data-kz') === mark) return;
      const box = document.createElement('kz-insert');
      box.setAttribute('data-kz', mark);
      box.setAttribute('style', 'display:contents');
      box.innerHTML = html;
      el.insertAdjacentElement(where === 'before' ? 'beforebegin' : 'afterend', box);
    });
  };
  run();
  const mo = new MutationObserver(run);
  mo.observe(document.documentElement, { childList: true, subtree: true });
  return run;
}

function one(m: Mutation, sheet: string[]): void {
  switch (m.action) {
    case 'set_text':
      return void mutate.html(m.selector, () => text(m.value));
    case 'set_attribute':
      return void mutate.attribute(m.selector, m.attribute, () => m.value);
    case 'remove_attribute':
      return void mutate.attribute(m.selector, m.attribute, () => null);
    case 'add_class':
      return void mutate.classes(m.selector, (c) => void c.add(m.value));
    case 'remove_class':
      return void mutate.classes(m.selector, (c) => void c.delete(m.value));
    case 'set_style':
      return void mutate.attribute(m.selector, 'style', (v) => (v ? v.replace(/;?\s*$/, '; ') : '') + m.value);
    case 'insert_html':
      if (m.position === 'inside_start') return void mutate.html(m.selector, (h) => m.value + h);
      if (m.position === 'inside_end') return void mutate.html(m.selector, (h) => h + m.value);
      return void adjacent(m.selector, m.position, m.value);
    case 'remove':
      return void sheet.push(`${m.selector}{display:none!important}`);
    case 'move_before': {
      const mark = `p${++seq}`;
      // The target's parent gets a mark when dom-mutator asks where to move: a selector for it.
      return void mutate.position(m.selector, () => {
        let parent: Element | null = null;
        try {
          parent = document.querySelector(m.target)?.parentElement ?? null;
        } catch {
          /* invalid target: nowhere to move */
        }
        parent?.setAttribute('data-kz', mark);
        return { parentSelector: `[data-kz="${mark}"]`, insertBeforeSelector: m.target };
      });
    }
  }
}

/**
 * Applies a change set (not its redirect: see redirectTarget) and returns `matched()`: whether every
 * mutation's selector (and a move's target) has matched an element at least once so far.
 */
export function apply(c: ChangeSet): () => boolean {
  const sheet: string[] = c.css ? [c.css] : [];
  const mutations = c.mutations ?? [];
  for (const m of mutations) one(m, sheet);
  if (sheet.length) {
    const style = document.createElement('style');
    style.textContent = sheet.join('\n');
    (document.head || document.documentElement).appendChild(style);
  }
  if (c.js) {
    const script = document.createElement('script');
    script.textContent = c.js;
    (document.head || document.documentElement).appendChild(script);
  }
  const seen = mutations.map(() => false);
  return () =>
    mutations.every((m, i) => (seen[i] ||= matches(m.selector) && (m.action !== 'move_before' || matches(m.target))));
}

const MARK = 'kz_redirected';

/**
 * Where a redirect arm sends this visitor (the visitor's query string and hash kept), or null: no
 * redirect when already on the target path, nor on a page this SDK just redirected to (no loop, even
 * between two tests redirecting to each other's page).
 */
function redirectTarget(c: ChangeSet, arrived: boolean): string | null {
  if (!c.redirect || arrived) return null;
  let to: URL;
  try {
    to = new URL(c.redirect, location.href);
  } catch {
    return null;
  }
  if (to.host === location.host && to.pathname === location.pathname) return null;
  new URLSearchParams(location.search).forEach((v, k) => to.searchParams.has(k) || to.searchParams.append(k, v));
  if (!to.hash) to.hash = location.hash;
  return to.toString();
}

/** Marks a redirect for the page it lands on (which records the exposure there). */
function markRedirect(testId: number, target: string): void {
  try {
    sessionStorage.setItem(MARK, JSON.stringify({ t: testId, p: new URL(target).pathname }));
  } catch {
    /* storage refused: the target page simply records no exposure */
  }
}

/** The test whose redirect brought the visitor here (read once), or null; `arrived` either way. */
function arrivedBy(): { arrived: boolean; testId: number | null } {
  try {
    const raw = sessionStorage.getItem(MARK);
    if (!raw) return { arrived: false, testId: null };
    sessionStorage.removeItem(MARK);
    const m = JSON.parse(raw) as { t: number; p: string };
    return { arrived: true, testId: m.p === location.pathname ? m.t : null };
  } catch {
    return { arrived: false, testId: null };
  }
}

/** Resolves once the document is parsed and `ms` more milliseconds passed. */
export const domReady = (ms: number) =>
  new Promise<void>((resolve) => {
    const go = () => setTimeout(resolve, ms);
    if (document.readyState === 'loading') addEventListener('DOMContentLoaded', go, { once: true });
    else go();
  });

/** What run() needs of the client (index.ts's Kaizen). */
export interface Runner {
  readonly config: SiteConfig;
  readonly visitorId: string;
  /** Records the test's exposure (once). */
  variant(testId: number): unknown;
  /** Records that the visitor's arm did not apply (once). */
  fail(testId: number): void;
}

/**
 * Applies, on this page, each running test's change set of the visitor's arm and the served winners,
 * lifts the guard as soon as every change matched its elements, and records per test an exposure when
 * its arm applied (the control at once; a redirect arm on the page it lands on) or else, once the guard
 * lifted and `graceMs` after the document was parsed, one apply failure.
 */
export async function run(kz: Runner, g: { lift: () => void; lifted: Promise<void> }, graceMs = 1000): Promise<void> {
  // Only a redirect arm leaves a mark: without one, no sessionStorage access (its first is a
  // synchronous trip to the browser process).
  const redirects = kz.config.tests.some((t) => t.variants.some((v) => v.changes?.redirect));
  const { arrived, testId } = redirects ? arrivedBy() : { arrived: false, testId: null };
  if (testId !== null && kz.config.tests.some((t) => t.id === testId)) kz.variant(testId);
  const pending: { id: number | null; matched: () => boolean }[] = [];
  for (const s of kz.config.served ?? []) if (onPage(s.page_url)) pending.push({ id: null, matched: apply(s.changes) });
  for (const t of kz.config.tests) {
    if (!onPage(t.page_url)) continue;
    const c = assign(kz.config.client_id, t, kz.visitorId).variant.changes;
    if (!c) {
      kz.variant(t.id);
      continue;
    }
    const to = redirectTarget(c, arrived);
    if (to) {
      markRedirect(t.id, to);
      // The guard stays up while the browser leaves: the original is never shown.
      return location.replace(to);
    }
    // A redirect arm already redirected (or on its target): nothing to apply here.
    if (!c.redirect) pending.push({ id: t.id, matched: apply(c) });
  }
  const all = () => pending.every((p) => p.matched());
  if (!all()) {
    await new Promise<void>((resolve) => {
      // Created after dom-mutator's observer, so it runs after dom-mutator applied the changes.
      const mo = new MutationObserver(() => all() && done());
      const done = () => {
        mo.disconnect();
        resolve();
      };
      mo.observe(document.documentElement, { childList: true, subtree: true });
      void Promise.all([g.lifted, domReady(graceMs)]).then(done);
    });
  }
  g.lift();
  for (const p of pending) if (p.id !== null) (p.matched() ? kz.variant(p.id) : kz.fail(p.id));
}
