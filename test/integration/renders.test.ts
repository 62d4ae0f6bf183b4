// Screenshots of proposals (issue 23 item 1, its plumbing): a submitted proposal's version is rendered
// by the render workflow on the render worker's own task queue (Debian Chromium via playwright-core)
// against the sample site on its own origin, at PC and phone width, control and variant; the images
// are served by GET /v1/images/:sha256 to whoever may see the proposal, 404 to anyone else. A revision
// is rendered anew, the same change set on the same page reuses the stored result, and a page that
// cannot be reached ends `failed` with its reason (the workflow completes).
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSiteKey } from '../../src/db/site-keys.ts';
import type { ChangeSet } from '../../src/shared/changes.ts';
import { startSampleSite, type SampleSite } from '../../src/site/sample-site.ts';
import { renderWorkflowId, type RenderVersionOutcome } from '../../src/workflows/render.ts';
import { runningTest } from '../fixtures/traffic.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';
import { HAVE_CHROMIUM, startWeb, type Web } from '../web/browser.ts';

interface Image {
  url: string;
  thumb_url: string;
  width: number;
  height: number;
}
interface Render {
  device: 'pc' | 'phone';
  version: number;
  status: 'pending' | 'rendered' | 'failed';
  reason: string | null;
  control: Image | null;
  variant: Image | null;
  checks: { name: string; ok: boolean; details: string[] }[];
}

let h: Harness;
let web: Web;
let site: SampleSite;
let key = '';
let clientId: number;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let hacker: Awaited<ReturnType<typeof userWithToken>>;

const HEADLINE: ChangeSet = { mutations: [{ selector: '#headline', action: 'set_text', value: 'Tea cups, fired by hand in Mashiko' }] };

async function newHacker() {
  const hackerId = (await h.db.insertInto('hackers').values({ display_name: `hacker ${randomUUID().slice(0, 6)}`, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
  return userWithToken(h.db, 'hacker', { hackerId });
}

/** An open offer of the client on `pageUrl` (a running test's fixture, its page moved there). */
async function offerOn(pageUrl: string) {
  const f = await runningTest(h.db, cs.user.id, [1, 1], clientId);
  const t = await h.db.selectFrom('tests').select(['page_id', 'offer_id', 'cycle_id']).where('id', '=', f.testId).executeTakeFirstOrThrow();
  await h.db.updateTable('pages').set({ url: pageUrl }).where('id', '=', t.page_id).execute();
  // Its settings, as every engagement created through the API has (the test page reads them).
  await h.db.insertInto('engagement_settings').values({ engagement_id: f.engagementId } as never).onConflict((oc) => oc.doNothing()).execute();
  fixture = { ...f, ...t };
  return t.offer_id;
}
let fixture: Awaited<ReturnType<typeof runningTest>> & { page_id: number; offer_id: number; cycle_id: number };

async function submit(offerId: number, changes: ChangeSet, by = hacker) {
  const res = await h.app.inject({
    method: 'POST',
    url: `/v1/offers/${offerId}/proposals`,
    headers: by.auth,
    payload: { title: 'A clearer headline', description: 'Says where the cups come from', design_url: 'https://design.example/x', changes },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; version: number; renders: Render[] };
}

/** The proposal's current renders once none is pending (as its author reads them). */
async function settledRenders(proposalId: number, version: number): Promise<Render[]> {
  return eventually(
    async () => {
      const p = (await h.app.inject({ url: `/v1/proposals/${proposalId}`, headers: hacker.auth })).json() as { version: number; renders: Render[] };
      return p.version === version && p.renders.length === 2 && p.renders.every((r) => r.status !== 'pending') && p.renders;
    },
    120_000,
    500,
  );
}

const versionId = async (proposalId: number, version: number) =>
  (await h.db.selectFrom('proposal_versions').select('id').where('proposal_id', '=', proposalId).where('version', '=', version).executeTakeFirstOrThrow()).id;

const outcome = async (proposalId: number, version: number) =>
  (await h.temporal.workflow.getHandle(renderWorkflowId(await versionId(proposalId, version))).result()) as RenderVersionOutcome;

const image = (url: string, auth: Record<string, string>) => h.app.inject({ url, headers: auth });

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ renderWorker: true });
  web = await startWeb(h);
  cs = await userWithToken(h.db, 'cs_manager');
  hacker = await newHacker();
  clientId = (await makeClient(h.db)).id;
  site = await startSampleSite({ api: web.base, key: () => key });
  key = (await createSiteKey(h.db, { clientId, origins: [site.origin], createdBy: cs.user.id })).key;
});
afterAll(async () => {
  if (!HAVE_CHROMIUM) return;
  await site?.close();
  await web?.close();
  await h?.close();
});

describe.skipIf(!HAVE_CHROMIUM)('renders of proposal versions', () => {
  let first: { id: number; renders: Render[] };
  let firstRenders: Render[];
  let offerId: number;

  it('a submitted proposal gets PC and phone images of control and variant, with its checks, served to who may see it', async () => {
    offerId = await offerOn(`${site.origin}/product.html`);
    first = await submit(offerId, HEADLINE);
    // Saved pending with the version, in the submit's answer.
    expect(first.renders.map((r) => [r.device, r.status, r.version])).toEqual([
      ['pc', 'pending', 1],
      ['phone', 'pending', 1],
    ]);
    firstRenders = await settledRenders(first.id, 1);
    expect(await outcome(first.id, 1)).toEqual({ status: 'rendered', rendered: 2, reused: 0 });
    const pc = firstRenders.find((r) => r.device === 'pc')!;
    const phone = firstRenders.find((r) => r.device === 'phone')!;
    for (const r of [pc, phone]) {
      expect(r).toMatchObject({ status: 'rendered', reason: null, version: 1 });
      expect(r.control!.url).toMatch(/^\/v1\/images\/[0-9a-f]{64}$/);
      expect(r.variant!.height).toBeGreaterThan(0);
      // The headline changed: the variant differs from the control, and every selector matched.
      expect(r.variant!.url).not.toBe(r.control!.url);
      expect(r.checks.find((c) => c.name === 'visible_change')?.ok).toBe(true);
      expect(r.checks.find((c) => c.name === 'unmatched_selectors')?.ok).toBe(true);
    }
    expect(pc.variant!.width).toBeGreaterThan(phone.variant!.width);

    // The author fetches the bytes: the blob named by its sha256, cached forever.
    const res = await image(pc.variant!.url, hacker.auth);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/(png|webp)/);
    expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(pc.variant!.url.split('/').pop());
    expect((await image(phone.control!.thumb_url, hacker.auth)).statusCode).toBe(200);

    // The client sees it once CS passed the proposal; another client's user and another hacker never.
    const client = await userWithToken(h.db, 'client', { clientId });
    expect((await image(pc.variant!.url, client.auth)).statusCode).toBe(404);
    const passed = await h.app.inject({ method: 'POST', url: `/v1/proposals/${first.id}/review`, headers: cs.auth, payload: { decision: 'pass' } });
    expect(passed.statusCode, passed.body).toBe(200);
    expect((await image(pc.variant!.url, client.auth)).statusCode).toBe(200);
    expect((await image(pc.variant!.url, cs.auth)).statusCode).toBe(200);
    const otherClient = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db)).id });
    expect((await image(pc.variant!.url, otherClient.auth)).statusCode).toBe(404);
    expect((await image(pc.variant!.url, (await newHacker()).auth)).statusCode).toBe(404);
    // A name that is no image of any proposal: the same 404.
    expect((await image(`/v1/images/${'0'.repeat(64)}`, cs.auth)).statusCode).toBe(404);
    // The offer's list carries them too.
    const list = (await h.app.inject({ url: `/v1/offers/${offerId}/proposals`, headers: hacker.auth })).json() as { items: { id: number; renders: Render[] }[] };
    expect(list.items.find((p) => p.id === first.id)!.renders).toEqual(firstRenders);
  });

  it('a revision is rendered anew; the same change set on the same page reuses the stored result', async () => {
    const revised = await h.app.inject({
      method: 'POST',
      url: `/v1/proposals/${first.id}/versions`,
      headers: hacker.auth,
      payload: { changes: { mutations: [{ selector: '#headline', action: 'set_text', value: 'Cups for slow mornings' }] } },
    });
    expect(revised.statusCode, revised.body).toBe(201);
    expect(revised.json().renders.map((r: Render) => [r.version, r.status])).toEqual([
      [2, 'pending'],
      [2, 'pending'],
    ]);
    const second = await settledRenders(first.id, 2);
    expect(await outcome(first.id, 2)).toEqual({ status: 'rendered', rendered: 2, reused: 0 });
    for (const r of second) {
      expect(r.status).toBe('rendered');
      expect(r.variant!.url).not.toBe(firstRenders.find((f) => f.device === r.device)!.variant!.url);
    }

    // Another hacker's proposal with version 1's change set on the same page: no browser, the same images.
    const other = await newHacker();
    const copy = await submit(offerId, HEADLINE, other);
    const copied = await eventually(async () => {
      const rows = await h.db.selectFrom('renders').selectAll().where('proposal_version_id', '=', await versionId(copy.id, 1)).where('status', '=', 'rendered').execute();
      return rows.length === 2 && rows;
    }, 60_000);
    expect(await outcome(copy.id, 1)).toEqual({ status: 'rendered', rendered: 0, reused: 2 });
    const original = await h.db.selectFrom('renders').selectAll().where('proposal_version_id', '=', await versionId(first.id, 1)).execute();
    for (const r of copied) expect(r.variant_sha256).toBe(original.find((o) => o.device === r.device)!.variant_sha256);
  });

  it("a test's arms, the cycle view and the knowledge entry show the proposal and its images", async () => {
    // The selection, as the cycle would make it: the proposal selected, its version 1 on arm A.
    const f = fixture;
    const armA = f.variants.find((v) => v.arm === 'A')!;
    const control = f.variants.find((v) => v.arm === 'control')!;
    // Version 2 passes review (a revision made it pending again), then it is selected.
    expect((await h.app.inject({ method: 'POST', url: `/v1/proposals/${first.id}/review`, headers: cs.auth, payload: { decision: 'pass' } })).statusCode).toBe(200);
    await h.db.updateTable('proposals').set({ status: 'selected' }).where('id', '=', first.id).execute();
    await h.db.updateTable('variants').set({ proposal_id: first.id, proposal_version_id: await versionId(first.id, 1) } as never).where('id', '=', armA.id).execute();
    const shots = (side: 'control' | 'variant') => firstRenders.map((r) => ({ device: r.device, image: r[side]! }));

    const t = (await h.app.inject({ url: `/v1/tests/${f.testId}`, headers: cs.auth })).json() as { arms: { variant_id: number; proposal: unknown; images: unknown }[] };
    const author = (await h.db.selectFrom('hackers').select('display_name').where('id', '=', hacker.user.hacker_id!).executeTakeFirstOrThrow()).display_name;
    expect(t.arms.find((a) => a.variant_id === armA.id)).toMatchObject({ proposal: { id: first.id, version: 1, title: 'A clearer headline', author }, images: shots('variant') });
    expect(t.arms.find((a) => a.variant_id === control.id)).toMatchObject({ proposal: null, images: shots('control') });

    // The cycle view: each offer with its selected proposals and their (current version's) renders.
    const cycle = (await h.app.inject({ url: `/v1/cycles/${f.cycle_id}`, headers: cs.auth })).json() as { selected: { offer_id: number; proposals: { id: number; version: number; renders: Render[] }[] }[] };
    const current = await settledRenders(first.id, 2);
    expect(cycle.selected).toEqual([{ offer_id: offerId, proposals: [{ id: first.id, version: 2, title: 'A clearer headline', author, renders: current }] }]);

    // The knowledge entry of the test once A won: the control's and the winner's images, for the client.
    await h.db.insertInto('verdicts').values({ test_id: f.testId, kind: 'final', check_no: 0, engine: 'frequentist', outcome: 'winner', winner_variant_id: armA.id, request: '{}', result: '{}' } as never).execute();
    const entry = await h.db
      .insertInto('knowledge_entries')
      .values({ test_id: f.testId, client_id: clientId, engagement_id: f.engagementId, page_id: f.page_id, page_type: 'product', industry: 'ecommerce', month: '2026-12', hypothesis: 'a clearer headline', change: 'headline', outcome: 'winner', tags: [], status: 'final' } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const client = await userWithToken(h.db, 'client', { clientId });
    const found = (await h.app.inject({ url: '/v1/knowledge', headers: client.auth })).json() as { items: { id: number; images: unknown }[] };
    expect(found.items.find((e) => e.id === entry.id)?.images).toEqual({ control: shots('control'), winner: shots('variant') });
    // Its images open for the client (a proposal of theirs shows them), not for another client.
    expect((await image(shots('control')[0]!.image.url, client.auth)).statusCode).toBe(200);
    expect((await image(shots('variant')[1]!.image.thumb_url, client.auth)).statusCode).toBe(200);
    expect((await image(shots('variant')[1]!.image.thumb_url, (await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db)).id })).auth)).statusCode).toBe(404);
  });

  it('a page that cannot be reached ends failed with its reason, and the workflow completes', async () => {
    // A port nothing listens on.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const offer = await offerOn(`http://127.0.0.1:${port}/product.html`);
    const p = await submit(offer, HEADLINE);
    const result = await outcome(p.id, 1);
    expect(result).toEqual({ status: 'failed', reason: 'page_unreachable' });
    const renders = await settledRenders(p.id, 1);
    expect(renders.map((r) => [r.device, r.status, r.reason, r.control, r.variant])).toEqual([
      ['pc', 'failed', 'page_unreachable', null, null],
      ['phone', 'failed', 'page_unreachable', null, null],
    ]);
  });
});
