// The winner becomes the page; kill switches. The page's control is decided by the promotion rule
// (src/domain/cycles/promotion.ts: pages.control_since_test_id, given back when a verdict is
// invalidated); while that control is a test's winner with a frozen change set (tests.served_changes)
// that CS has not marked shipped, the winner is served to every visitor of the page, and a new test
// on the page runs on top of it. A kill switch (client or test) removes its changes from the site
// config: the SDK drops them within one config cache period.
import type { Db } from '../db/index.ts';
import { onPageControl } from '../domain/cycles/promotion.ts';
import { RuleError } from '../domain/errors.ts';
import type { Actor } from '../shared/actor.ts';
import type { ChangeSet } from '../shared/changes.ts';

export interface ServedWinner {
  test_id: number;
  page_url: string;
  changes: ChangeSet;
}

/** The served winners (of a client, or the one of a test): a page's control, unshipped, not killed. */
async function servedWinners(db: Db, by: { clientId: number } | { testId: number } | { pageId: number }) {
  let q = db
    .selectFrom('pages')
    .innerJoin('tests', 'tests.id', 'pages.control_since_test_id')
    .innerJoin('engagements', 'engagements.id', 'pages.engagement_id')
    .innerJoin('clients', 'clients.id', 'engagements.client_id')
    .select(['tests.id as test_id', 'pages.id as page_id', 'pages.url as page_url', 'tests.served_changes'])
    .where('tests.status', '=', 'completed')
    .where('tests.shipped_at', 'is', null)
    .where('tests.served_changes', 'is not', null)
    .where('tests.kill_switch', '=', false)
    .where('clients.kill_switch', '=', false)
    .orderBy('pages.id');
  q = 'clientId' in by ? q.where('engagements.client_id', '=', by.clientId) : 'testId' in by ? q.where('tests.id', '=', by.testId) : q.where('pages.id', '=', by.pageId);
  return (await q.execute()).map((r) => ({ test_id: r.test_id, page_id: r.page_id, page_url: r.page_url, changes: r.served_changes! }));
}

/** Whether test `testId`'s winner is served now (to every visitor of its page, or as a new test's control). */
export async function isServing(db: Db, testId: number): Promise<boolean> {
  return (await servedWinners(db, { testId })).length > 0;
}

/** What a visitor in none of the page's tests is shown: its served winner's changes, or null (the page as it is). */
export async function pageControlChanges(db: Db, pageId: number): Promise<ChangeSet | null> {
  return (await servedWinners(db, { pageId }))[0]?.changes ?? null;
}

interface ConfigTest<V> {
  id: number;
  variants: V[];
}

/**
 * The site config's running tests with the serving rules applied: killed tests (or all, for a killed
 * client) left out unless `withKilled`; each arm on top of its page's served winner; the winners of
 * pages without a running test served as they are.
 */
export async function serveOn<V extends { position: number; changes?: ChangeSet | null }, T extends ConfigTest<V>>(
  db: Db,
  clientId: number,
  tests: T[],
  opts: { withKilled?: boolean } = {},
): Promise<{ tests: T[]; served: ServedWinner[] }> {
  const client = await db.selectFrom('clients').select('kill_switch').where('id', '=', clientId).executeTakeFirst();
  if (!opts.withKilled && (!client || client.kill_switch)) return { tests: [], served: [] };
  const meta = tests.length
    ? await db.selectFrom('tests').select(['id', 'page_id', 'kill_switch']).where('id', 'in', tests.map((t) => t.id)).execute()
    : [];
  const metaOf = new Map(meta.map((m) => [m.id, m]));
  const live = tests.filter((t) => opts.withKilled || !metaOf.get(t.id)?.kill_switch);
  const winners = await servedWinners(db, { clientId });
  const winnerOf = new Map(winners.map((w) => [w.page_id, w]));
  const testedPages = new Set<number>();
  for (const t of live) {
    const pageId = metaOf.get(t.id)!.page_id;
    testedPages.add(pageId);
    const base = winnerOf.get(pageId)?.changes ?? null;
    if (!base) continue;
    t.variants = t.variants.map((v) => ({ ...v, changes: onPageControl(base, v.position === 0 ? null : (v.changes ?? null)) }));
  }
  // A page under test shows its winner through the test's arms (each visitor gets exactly one change set).
  const served = winners.filter((w) => !testedPages.has(w.page_id)).map(({ test_id, page_url, changes }) => ({ test_id, page_url, changes }));
  return { tests: live, served };
}

/** CS: the winner is in the site's own code now; it stops being served (only the served winner can be shipped). */
export async function markShipped(db: Db, testId: number, actor: Actor): Promise<{ test_id: number; shipped_at: Date; serving: boolean }> {
  return db.transaction().execute(async (trx) => {
    const t = await trx
      .selectFrom('tests')
      .innerJoin('pages', 'pages.id', 'tests.page_id')
      .select(['tests.id', 'tests.status', 'tests.shipped_at', 'tests.served_changes', 'pages.control_since_test_id'])
      .where('tests.id', '=', testId)
      .forUpdate()
      .executeTakeFirst();
    if (!t) throw new RuleError('not_found', `test ${testId} does not exist`);
    if (t.shipped_at) return { test_id: t.id, shipped_at: t.shipped_at, serving: false };
    const refusal = shipRefusal(t, t.control_since_test_id);
    if (refusal) throw new RuleError('conflict', refusal);
    const at = new Date();
    await trx.updateTable('tests').set({ shipped_at: at, shipped_by: actor.userId }).where('id', '=', testId).execute();
    return { test_id: t.id, shipped_at: at, serving: false };
  });
}

/** Why a test cannot be marked shipped now (markShipped and the test view's action ask it). */
export function shipRefusal(t: { id: number; status: string; shipped_at: Date | null; served_changes: unknown }, pageControlTestId: number | null): string | undefined {
  if (t.shipped_at) return `test ${t.id}'s winner is already shipped`;
  if (t.status !== 'completed' || pageControlTestId !== t.id || !t.served_changes) return `test ${t.id}'s winner is not the page's served control: there is nothing to ship`;
  return undefined;
}

export async function setTestKillSwitch(db: Db, testId: number, on: boolean) {
  const row = await db.updateTable('tests').set({ kill_switch: on }).where('id', '=', testId).returning(['id as test_id', 'kill_switch']).executeTakeFirst();
  if (!row) throw new RuleError('not_found', `test ${testId} does not exist`);
  return row;
}

export async function setClientKillSwitch(db: Db, clientId: number, on: boolean) {
  const row = await db.updateTable('clients').set({ kill_switch: on }).where('id', '=', clientId).returning(['id as client_id', 'kill_switch']).executeTakeFirst();
  if (!row) throw new RuleError('not_found', `client ${clientId} does not exist`);
  return row;
}
