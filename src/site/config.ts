// What a client's site needs to assign visitors itself (the browser SDK): its running tests, their
// variants in position order with weights, and the holdout share snapshotted on each test. The SDK
// applies exactly the server's rules to it (domain/holdout.ts, then domain/assignment.ts).
import { createHash } from 'node:crypto';
import type { Db } from '../db/index.ts';

export interface SiteVariant {
  id: number;
  arm: string;
  position: number;
  weight: number;
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
}

export async function siteConfig(db: Db, clientId: number): Promise<SiteConfig> {
  const rows = await db
    .selectFrom('tests')
    .innerJoin('cycles', 'cycles.id', 'tests.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .innerJoin('pages', 'pages.id', 'tests.page_id')
    .innerJoin('variants', 'variants.test_id', 'tests.id')
    .select(['tests.id as test_id', 'tests.metric', 'tests.holdout_percent', 'pages.url', 'variants.id', 'variants.arm', 'variants.position', 'variants.weight'])
    .where('engagements.client_id', '=', clientId)
    .where('tests.status', '=', 'running')
    .orderBy('tests.id')
    .orderBy('variants.position')
    .execute();
  const tests = new Map<number, SiteTest>();
  for (const r of rows) {
    let t = tests.get(r.test_id);
    if (!t) tests.set(r.test_id, (t = { id: r.test_id, page_url: r.url, metric: r.metric, holdout_percent: r.holdout_percent, variants: [] }));
    t.variants.push({ id: r.id, arm: r.arm, position: r.position, weight: r.weight });
  }
  return { client_id: clientId, tests: [...tests.values()] };
}

/** A strong ETag of the configuration's JSON. */
export const etagOf = (json: string) => `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
