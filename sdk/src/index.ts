// Kaizen Desk browser SDK (dependency-free): fetches the site's running tests with its public site
// key, assigns the visitor locally with exactly the server's rule (rule.ts), keeps the visitor id in a
// first-party cookie or storage, and sends exposures and conversions in the background, in batches,
// with idempotent event ids (a retried batch counts once). Served by the API at /sdk/v1.mjs (ES
// module) and /sdk/v1.js (classic script: window.Kaizen).
import type { ChangeSet } from '../../src/shared/changes.ts';
import { apply, domReady, guard, onPage, run } from './apply.ts';
import { siteConfigFor } from './config-cache.ts';
import { previewFor, showPreviewBar } from './preview.ts';
import { assign, type RuleTest, type RuleVariant } from './rule.ts';

export { assign, inHoldout, pick, point } from './rule.ts';

declare const __SDK_BASE__: string | undefined;
// Where this file was loaded from (replaced at build time; read while the script runs).
const BASE: string = (() => {
  try {
    return __SDK_BASE__ || '';
  } catch {
    return '';
  }
})();

export interface SiteTest extends RuleTest {
  page_url: string;
  /** `changes`: the arm's change set, applied by the SDK on the test's page (control: null). */
  variants: (RuleVariant & { changes?: ChangeSet | null })[];
}
export interface SiteConfig {
  client_id: number;
  tests: SiteTest[];
  /** Winners served to every visitor of their page between rounds. */
  served?: { test_id: number; page_url: string; changes: ChangeSet }[];
}

export interface Options {
  /** The site's public key (kzk_…), created by CS. */
  key: string;
  /** The API's origin; default: where this script was loaded from. */
  api?: string;
  /**
   * Where the visitor id lives: 'cookie' (first-party, default), 'local' (localStorage) or 'none'
   * (memory only: a new visitor on every page, for visitors who have not consented).
   */
  storage?: 'cookie' | 'local' | 'none';
  /** Cookie / storage entry name (default kz_vid) and cookie lifetime in days (default 365). */
  name?: string;
  days?: number;
  /** Use your own stable visitor id (e.g. a signed-in customer's) instead of a generated one. */
  visitorId?: string;
  /** Milliseconds events wait to be batched (default 1000). */
  flushMs?: number;
  /** At most this long (ms, default 800) the page stays hidden while a test's changes apply. */
  antiFlickerMs?: number;
  /** The site config inlined in the snippet: decided with at once (no request first), then revalidated in the background. */
  config?: SiteConfig;
}

export interface Variant {
  test_id: number;
  variant_id: number;
  arm: string;
  held_out: boolean;
}

interface Event {
  test_id: number;
  event_id: string;
  visitor_id: string;
  type: 'exposure' | 'conversion' | 'apply_failure';
  value?: number;
  event?: string;
}

/** The visitor's facts sent with an exposure: the test page's segments (device, new or returning, source). */
type Facts = { device: string; visitor_type?: string; source: string };

/** Set by visitor(): the stored id was there already. */
let returning: boolean | undefined;

function facts(): Facts {
  const ua = navigator.userAgent;
  // iPadOS reports a Mac: a touch Mac is a tablet.
  const device = /iPad|Tablet|Android(?!.*Mobile)/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1) ? 'tablet' : /Mobi|iPhone|Android/.test(ua) ? 'phone' : 'pc';
  const q = new URLSearchParams(location.search);
  const medium = q.get('utm_medium') || '';
  const ref = document.referrer ? new URL(document.referrer).hostname : '';
  const social = /facebook|instagram|twitter|^t\.co$|x\.com|line\.me|tiktok|youtube/;
  const source = /cpc|ppc|paid|display|ads?$/i.test(medium)
    ? 'ads'
    : /social/i.test(medium) || social.test(q.get('utm_source') || '')
      ? 'social'
      : q.get('utm_source')
        ? 'other'
        : !ref || ref === location.hostname
          ? 'direct'
          : /google|bing|yahoo|duckduckgo|baidu|naver/.test(ref)
            ? 'search'
            : social.test(ref)
              ? 'social'
              : 'other';
  return { device, source, ...(returning === undefined ? {} : { visitor_type: returning ? 'returning' : 'new' }) };
}

const rid = () => {
  const b = crypto.getRandomValues(new Uint8Array(12));
  let s = '';
  for (const x of b) s += (x & 63).toString(36).padStart(2, '0');
  return s;
};

function visitor(o: Options): string {
  if (o.visitorId) return o.visitorId;
  const name = o.name || 'kz_vid';
  const mode = o.storage || 'cookie';
  if (mode === 'local') {
    try {
      let v = localStorage.getItem(name);
      returning = !!v;
      if (!v) localStorage.setItem(name, (v = rid()));
      return v;
    } catch {
      return rid();
    }
  }
  if (mode === 'cookie') {
    const m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]+)'));
    const v = m ? decodeURIComponent(m[1]!) : rid();
    returning = !!m;
    document.cookie = `${name}=${encodeURIComponent(v)}; path=/; max-age=${(o.days || 365) * 86400}; SameSite=Lax${location.protocol === 'https:' ? '; Secure' : ''}`;
    return v;
  }
  return rid();
}

export class Kaizen {
  readonly visitorId: string;
  private queue: Event[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seen = new Set<number>();
  private failures = 0;
  private readonly url: string;

  constructor(
    private readonly o: Options,
    readonly config: SiteConfig,
    api: string,
  ) {
    this.visitorId = visitor(o);
    this.url = `${api}/v1/site/events?key=${encodeURIComponent(o.key)}`;
    addEventListener('pagehide', () => this.flush(true));
    addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && this.flush(true));
  }

  private test(key: number | string): SiteTest | undefined {
    return this.config.tests.find((t) => String(t.id) === String(key));
  }

  /** The visitor's variant of a running test (null if the test is not running); records an exposure once. */
  variant(testKey: number | string, opts: { expose?: boolean } = {}): Variant | null {
    const t = this.test(testKey);
    if (!t) return null;
    const { variant, heldOut } = assign(this.config.client_id, t, this.visitorId);
    if (opts.expose !== false && !this.seen.has(t.id)) {
      this.seen.add(t.id);
      // One exposure per visitor and test: the server keeps the first, later ones are duplicates.
      this.push({ test_id: t.id, event_id: `x:${this.visitorId}`, visitor_id: this.visitorId, type: 'exposure', ...facts() });
    }
    return { test_id: t.id, variant_id: variant.id, arm: variant.arm, held_out: heldOut };
  }

  /** The visitor's arm of a test did not apply on this page (apply.ts): once per visitor and test. */
  fail(testId: number): void {
    this.push({ test_id: testId, event_id: `f:${this.visitorId}`, visitor_id: this.visitorId, type: 'apply_failure' });
  }

  /**
   * A conversion (with an optional value, e.g. revenue in yen) for one test, or for every running
   * test of the site (conversions of visitors never exposed to a test do not count in it). Give `id`
   * (e.g. the order number) to make a conversion count once however often it is tracked. Name the
   * event (`track('order', 8000)` or `{ event: 'order', value: 8000 }`): a test's metrics read events by name.
   */
  track(e: string | { event?: string; type?: 'conversion'; value?: number; test?: number | string; id?: string } = {}, value?: number): void {
    if (typeof e === 'string') e = { event: e, value };
    const tests = e.test === undefined ? this.config.tests : [this.test(e.test)].filter((t): t is SiteTest => !!t);
    const id = e.id ? `c:${e.id}` : `c:${rid()}`;
    for (const t of tests) {
      this.push({ test_id: t.id, event_id: id, visitor_id: this.visitorId, type: 'conversion', ...(e.value === undefined ? {} : { value: e.value }), ...(e.event ? { event: e.event } : {}) });
    }
  }

  private push(e: Event): void {
    this.queue.push(e);
    if (this.queue.length >= 200) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.o.flushMs ?? 1000);
  }

  /** Sends what is queued now (with sendBeacon when the page is going away). */
  async flush(leaving = false): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length) {
      const batch = this.queue.splice(0, 200);
      const body = JSON.stringify({ events: batch });
      if (leaving && navigator.sendBeacon && navigator.sendBeacon(this.url, new Blob([body], { type: 'text/plain' }))) continue;
      try {
        const res = await fetch(this.url, { method: 'POST', body, keepalive: true, credentials: 'omit', headers: { 'content-type': 'text/plain' } });
        if (res.status === 429 || res.status >= 500) throw new Error(String(res.status));
        this.failures = 0;
      } catch {
        // Same event ids next time: the server counts a retried event once.
        this.queue.unshift(...batch);
        if (++this.failures <= 6) this.timer = setTimeout(() => this.flush(), 1000 * 2 ** this.failures);
        return;
      }
    }
  }
}

/** Decides with the site's configuration (stored, inline or fetched: config-cache.ts) and returns the client. */
export async function init(o: Options): Promise<Kaizen> {
  const api = (o.api || new URL(BASE || location.href).origin).replace(/\/$/, '');
  // Before the first await: the page stays hidden until the arm's changes applied (apply.ts run).
  const g = guard(o.antiFlickerMs ?? 800);
  try {
    return await decide(o, api, g);
  } catch (e) {
    g.lift();
    throw e;
  }
}

async function decide(o: Options, api: string, g: ReturnType<typeof guard>): Promise<Kaizen> {
  const preview = await previewFor(api, o.key);
  if (preview) {
    // This proposal version for this tab only; no test is decided, so no event is sent.
    if (onPage(preview.page_url)) apply(preview.changes);
    void domReady(0).then(g.lift);
    showPreviewBar(preview);
    return new Kaizen(o, { client_id: 0, tests: [] }, api);
  }
  const { config, revalidate } = await siteConfigFor(api, o.key, o.config);
  const kz = new Kaizen(o, config, api);
  void run(kz, g);
  // After the page has taken its decision: the revalidation never comes before it.
  setTimeout(revalidate);
  return kz;
}
