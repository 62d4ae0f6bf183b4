// What a client's site needs to assign visitors itself (the browser SDK): its running tests, their
// variants in position order with weights, and the holdout share snapshotted on each test. The SDK
// applies exactly the server's rules to it (domain/holdout.ts, then domain/assignment.ts).
import { createHash } from 'node:crypto';
import type { Db } from '../db/index.ts';
import { serveOn, type ServedWinner } from './serving.ts';
import { servedChanges } from '../domain/cycles/changes.ts';
import type { ServedChangeSet } from '../shared/changes.ts';

export interface SiteVariant {
  id: number;
  arm: string;
  position: number;
  weight: number;
  /** The change set of the proposal version this arm runs (`js` only when approved); the control: null. */
  changes: ServedChangeSet | null;
}

export interface SiteTest {
  id: number;
  page_url: string;
  metric: 'conversion' | 'revenue';
  holdout_percent: number;
  variants: SiteVariant[];
}

export interface SiteConfig {
  client_id: number;
  tests: SiteTest[];
  /** Winners served to every visitor of their page between tests (./serving.ts). */
  served: ServedWinner[];
}

/** `withKilled`: as if no kill switch were on (what a test's arms show, for its verdict). */
export async function siteConfig(db: Db, clientId: number, opts: { withKilled?: boolean } = {}): Promise<SiteConfig> {
  const rows = await db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .innerJoin('pages', 'pages.id', 'tests.page_id')
    .innerJoin('variants', 'variants.test_id', 'tests.id')
    .leftJoin('proposal_versions', 'proposal_versions.id', 'variants.proposal_version_id')
    .select(['tests.id as test_id', 'tests.metric', 'tests.holdout_percent', 'pages.url', 'variants.id', 'variants.arm', 'variants.position', 'variants.weight'])
    .select(['proposal_versions.changes', 'proposal_versions.js_sha256', 'proposal_versions.js_approved_at'])
    .where('engagements.client_id', '=', clientId)
    .where('tests.status', '=', 'running')
    .orderBy('tests.id')
    .orderBy('variants.position')
    .execute();
  const tests = new Map<number, SiteTest>();
  for (const r of rows) {
    let t = tests.get(r.test_id);
    if (!t) tests.set(r.test_id, (t = { id: r.test_id, page_url: r.url, metric: r.metric, holdout_percent: r.holdout_percent, variants: [] }));
    const changes = r.changes ? servedChanges(r.changes, { js_sha256: r.js_sha256, js_approved_at: r.js_approved_at }) : null;
    t.variants.push({ id: r.id, arm: r.arm, position: r.position, weight: r.weight, changes });
  }
  // Kill switches, the page's served winner under every arm, the winners of pages not under test.
  const { tests: live, served } = await serveOn(db, clientId, [...tests.values()], opts);
  return { client_id: clientId, tests: live, served };
}

/** A strong ETag of the configuration's JSON. */
export const etagOf = (json: string) => `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;

/** What an arm of a running test shows now, kill switches aside: what it serves if it wins. */
export async function armChanges(db: Db, clientId: number, testId: number, variantId: number): Promise<ServedChangeSet | null> {
  const test = (await siteConfig(db, clientId, { withKilled: true })).tests.find((t) => t.id === testId);
  return test?.variants.find((v) => v.id === variantId)?.changes ?? null;
}
