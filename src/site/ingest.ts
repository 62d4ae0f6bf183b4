// A site's batch of events (the browser SDK's POST /v1/site/events): only tests of the key's client
// count, and each visitor only within its per-minute share.
import { ingestEvents, loadTestMeta, TrafficError, type IngestResult, type TrafficEvent } from '../cycles/traffic.ts';
import type { Db } from '../db/index.ts';
import type { SiteKey } from '../db/site-keys.ts';

/**
 * A site's batch: events grouped by test, each test checked to be the key's client's (else rejected),
 * visitors over their per-minute share dropped, then one ingest statement per test.
 */
export async function ingestForKey(
  db: Db,
  key: Pick<SiteKey, 'client_id'>,
  events: readonly (TrafficEvent & { test_id: number })[],
  allowVisitor: (visitorId: string, n: number) => boolean = () => true,
): Promise<IngestResult & { rejected: number; rate_limited: number }> {
  const byTest = new Map<number, TrafficEvent[]>();
  let rateLimited = 0;
  for (const e of events) {
    if (!allowVisitor(e.visitor_id, 1)) {
      rateLimited++;
      continue;
    }
    let list = byTest.get(e.test_id);
    if (!list) byTest.set(e.test_id, (list = []));
    const { test_id: _t, ...event } = e;
    list.push(event);
  }
  const out = { accepted: 0, duplicates: 0, rejected: 0, rate_limited: rateLimited };
  for (const [testId, list] of byTest) {
    const meta = await loadTestMeta(db, testId).catch(() => undefined);
    if (!meta || meta.client_id !== key.client_id) {
      out.rejected += list.length;
      continue;
    }
    try {
      const r = await ingestEvents(db, testId, list);
      out.accepted += r.accepted;
      out.duplicates += r.duplicates;
    } catch (err) {
      if (!(err instanceof TrafficError)) throw err;
      out.rejected += list.length;
    }
  }
  return out;
}
