// The site config a page view decides with, without a round trip on a repeat view: the last config
// answered is kept in localStorage (memory when storage is unavailable) with its fetch time and the
// server's max-age (GET /v1/site/config: `Cache-Control: public, max-age=30`). While that entry is
// younger than its max-age the view decides from it at once and revalidates in the background, so a
// changed config applies from the next view. An older entry is never decided with: the view waits for
// the server, so a kill switch (a test gone from the config) reaches every view within one max-age.
// A site may inline the config in its snippet (`init({ key, config })`): decided with at once unless a
// fresher stored one exists, then revalidated in the background.
// The entry also keeps the assignment points this browser's views computed (rule.ts), so a repeat
// view decides without hashing.
import { knownPoints, rememberPoints } from './rule.ts';

interface Entry {
  /** The config's JSON as answered. */
  json: string;
  /** When its request started (ms since epoch): its age counts from there. */
  at: number;
  /** The server's max-age in seconds (0 when it sent none: never decided with again). */
  maxAge: number;
  /** Assignment points of this browser's visitor (rule.ts knownPoints). */
  p?: Record<string, number>;
}

const memory = new Map<string, string>();

function read(name: string): Entry | undefined {
  let raw: string | null | undefined;
  try {
    raw = localStorage.getItem(name);
  } catch {
    // Storage blocked (privacy settings, sandboxed frame): memory only.
  }
  raw ??= memory.get(name);
  try {
    return raw ? (JSON.parse(raw) as Entry) : undefined;
  } catch {
    return undefined;
  }
}

function write(name: string, e: Entry): void {
  const raw = JSON.stringify(e);
  memory.set(name, raw);
  try {
    localStorage.setItem(name, raw);
  } catch {
    // Full or blocked: memory keeps it for this page.
  }
}

const fresh = (e: Entry, now: number) => e.at <= now && now - e.at < e.maxAge * 1000;

/**
 * The server's answer now. `no-cache`: the browser revalidates its HTTP-cached copy with
 * If-None-Match (a 304 carries no body) instead of answering from it, so the entry's age is exact;
 * a header of our own would cost a CORS preflight.
 */
async function fetchEntry(url: string): Promise<Entry> {
  const at = Date.now();
  const res = await fetch(url, { credentials: 'omit', cache: 'no-cache' });
  if (!res.ok) throw new Error(`Kaizen: site configuration answered ${res.status}`);
  const json = await res.text();
  JSON.parse(json);
  return { json, at, maxAge: Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1] ?? 0) };
}

export interface Decided<C> {
  config: C;
  /**
   * Call once the view has decided: stores this view's points, and revalidates in the background
   * unless the config was just fetched.
   */
  revalidate(): void;
}

/** The config to decide this view with: stored and fresh, else inline, else from the server. */
export async function siteConfigFor<C>(api: string, key: string, inline?: C): Promise<Decided<C>> {
  const url = `${api}/v1/site/config?key=${encodeURIComponent(key)}`;
  const name = `kz_cfg:${key}`;
  const revalidate = () => void fetchEntry(url).then((e) => write(name, { ...e, p: knownPoints() }), () => undefined);
  const stored = read(name);
  rememberPoints(stored?.p);
  if (stored && fresh(stored, Date.now())) {
    try {
      return { config: JSON.parse(stored.json) as C, revalidate };
    } catch {
      // A damaged entry: ask the server below.
    }
  }
  if (inline) return { config: inline, revalidate };
  const e = await fetchEntry(url);
  write(name, e);
  return { config: JSON.parse(e.json) as C, revalidate: () => write(name, { ...e, p: knownPoints() }) };
}
