// The render engine (src/renders/render.ts, issue 23 items 1-2) on the sample site served on its own
// origin, with the real API answering the SDK's preview requests (control and variant links signed
// as the render activity signs them) and Debian's Chromium driven by playwright-core.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileBlobStore, type BlobStore } from '../../src/blobs/store.ts';
import { createSiteKey } from '../../src/db/site-keys.ts';
import { createRenderer, RenderFailure, type Device, type Renderer, type RenderResult } from '../../src/renders/render.ts';
import type { ChangeSet } from '../../src/shared/changes.ts';
import { startSampleSite, type SampleSite } from '../../src/site/sample-site.ts';
import { previewLink, resolvePreviewKey } from '../../src/site/preview.ts';
import { runningTest } from '../fixtures/traffic.ts';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';
import { HAVE_CHROMIUM } from '../web/browser.ts';

let h: Harness;
let site: SampleSite;
let blobDir: string;
let blobs: BlobStore;
let renderer: Renderer;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let siteKey = '';

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createHarness({ worker: false });
  const api = await h.app.listen({ port: 0, host: '127.0.0.1' });
  cs = await userWithToken(h.db, 'cs_manager');
  site = await startSampleSite({ api, key: () => siteKey });
  blobDir = await mkdtemp(path.join(tmpdir(), 'kz-render-'));
  blobs = fileBlobStore(blobDir);
  renderer = createRenderer({ render: { timeoutMs: 15_000, maxHeight: 8000 }, tools: h.config.tools }, blobs);
});
afterAll(async () => {
  if (!HAVE_CHROMIUM) return;
  await renderer?.close();
  await site?.close();
  await h?.close();
  await rm(blobDir, { recursive: true, force: true });
});

/** A client with the sample site's product page, a proposal version with `changes`, and its control and variant links. */
async function versionOn(changes: ChangeSet) {
  const f = await runningTest(h.db, cs.user.id, [1, 1]);
  siteKey = (await createSiteKey(h.db, { clientId: f.clientId, origins: [site.origin], createdBy: cs.user.id })).key;
  const pageUrl = `${site.origin}/product.html`;
  const test = await h.db.selectFrom('tests').select(['offer_id', 'page_id']).where('id', '=', f.testId).executeTakeFirstOrThrow();
  await h.db.updateTable('pages').set({ url: pageUrl }).where('id', '=', test.page_id).execute();
  const hacker = await h.db.insertInto('hackers').values({ display_name: 'Rendering hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
  const text = { title: 'Say it is handmade', description: 'd', design_url: 'https://design.example/p' };
  const proposal = await h.db.insertInto('proposals').values({ offer_id: test.offer_id, hacker_id: hacker.id, ...text }).returning('id').executeTakeFirstOrThrow();
  const version = await h.db.insertInto('proposal_versions').values({ proposal_id: proposal.id, version: 1, ...text, changes: JSON.stringify(changes) }).returning('id').executeTakeFirstOrThrow();
  const key = resolvePreviewKey(h.config);
  const t = { version_id: version.id, client_id: f.clientId, page_url: pageUrl };
  return {
    testId: f.testId,
    pageId: test.page_id,
    target: (device: Device) => ({ controlUrl: previewLink(key, { ...t, control: true }, 30).url, variantUrl: previewLink(key, t, 30).url, device, changes }),
  };
}

const check = (r: RenderResult, name: string) => r.checks.find((c) => c.name === name);
const png = async (sha: string) => {
  const blob = await blobs.get(sha);
  expect(blob?.contentType).toBe('image/png');
  return PNG.sync.read(blob!.bytes);
};

describe.skipIf(!HAVE_CHROMIUM)('render engine', () => {
  it('renders control and variant at PC width: a changed headline gives two different images, a thumbnail each, and every check passes', async () => {
    const v = await versionOn({ mutations: [{ selector: '#headline', action: 'set_text', value: 'Fired by hand in Mashiko, one cup at a time' }] });
    const r = await renderer.render(v.target('pc'));
    expect(r.control.sha256).not.toBe(r.variant.sha256);
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([['page_errors', true], ['console_errors', true], ['unmatched_selectors', true], ['visible_change', true]]);
    for (const img of [r.control, r.variant]) {
      const full = await png(img.sha256);
      expect([full.width, full.height, img.clipped]).toEqual([1366, img.height, false]);
      const thumb = await blobs.get(img.thumb_sha256);
      expect(thumb?.contentType).toBe('image/webp');
      expect((await sharp(thumb!.bytes).metadata()).width).toBe(360);
    }
    // The preview bar is not in the picture: the bottom rows of the control are the page's white.
    const control = await png(r.control.sha256);
    const bottom = control.data.subarray((control.height - 1) * control.width * 4);
    expect(new Set(bottom).size).toBe(1);
  });

  it('flags a selector that matched nothing, a page wider than the phone and a change nobody can see', async () => {
    const v = await versionOn({
      // Wider than the phone's layout viewport (980 px on a page without a viewport meta tag, as here).
      css: '#buy { min-width: 1200px }',
      mutations: [{ selector: '#no-such-element', action: 'set_text', value: 'x' }, { selector: '.lead', action: 'add_class', value: 'lead' }],
    });
    const phone = await renderer.render(v.target('phone'));
    expect(check(phone, 'unmatched_selectors')).toEqual({ name: 'unmatched_selectors', ok: false, details: ['#no-such-element'] });
    expect(check(phone, 'overflow')?.ok).toBe(false);
    expect((await png(phone.variant.sha256)).width).toBe(390);

    const invisible = await versionOn({ mutations: [{ selector: '.lead', action: 'add_class', value: 'lead' }] });
    const same = await renderer.render(invisible.target('phone'));
    expect(check(same, 'visible_change')?.ok).toBe(false);
    expect(check(same, 'overflow')?.ok).toBe(true);
    expect(check(same, 'unmatched_selectors')?.ok).toBe(true);
  });

  it('shows the page’s served winner as the control and the version on top of it as the variant', async () => {
    const v = await versionOn({ mutations: [{ selector: '.lead', action: 'set_text', value: 'Glazed in Mashiko.' }] });
    const before = await renderer.render(v.target('pc'));
    // The page's last test won and its winner is served to every visitor (src/site/serving.ts).
    const winner: ChangeSet = { css: '#headline { color: rgb(200, 0, 0) }' };
    await h.db.updateTable('tests').set({ status: 'completed', served_changes: JSON.stringify(winner) } as never).where('id', '=', v.testId).execute();
    await h.db.updateTable('pages').set({ control_since_test_id: v.testId }).where('id', '=', v.pageId).execute();
    const after = await renderer.render(v.target('pc'));
    expect(after.control.sha256).not.toBe(before.control.sha256);
    expect(after.variant.sha256).not.toBe(before.variant.sha256);
    // Control and variant still differ only by the version.
    expect(check(after, 'visible_change')?.ok).toBe(true);
    const red = (img: PNG) => {
      for (let i = 0; i < img.data.length; i += 4) if (img.data[i] === 200 && img.data[i + 1] === 0 && img.data[i + 2] === 0) return true;
      return false;
    };
    expect([red(await png(before.control.sha256)), red(await png(after.control.sha256)), red(await png(after.variant.sha256))]).toEqual([false, true, true]);
  });

  it('cuts a page taller than the maximum height there and says so', async () => {
    const v = await versionOn({ css: 'main { min-height: 12000px }' });
    const r = await renderer.render(v.target('pc'));
    expect([r.variant.height, r.variant.clipped, r.control.clipped]).toEqual([8000, true, false]);
    expect((await png(r.variant.sha256)).height).toBe(8000);
    expect(check(r, 'visible_change')?.details).toContain('height_changed');
  });

  it('fails with page_unreachable when nothing answers at the page’s address', async () => {
    const v = await versionOn({ mutations: [{ selector: '#headline', action: 'set_text', value: 'x' }] });
    const closed = await startSampleSite({ api: 'http://127.0.0.1:1', key: '' });
    await closed.close();
    const target = { ...v.target('pc'), controlUrl: `${closed.origin}/product.html` };
    const err = await renderer.render(target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RenderFailure);
    expect((err as RenderFailure).reason).toBe('page_unreachable');
  });

  it('fails with sdk_not_found when the page loads but never shows the preview (no snippet on it)', async () => {
    const v = await versionOn({ mutations: [{ selector: '#headline', action: 'set_text', value: 'x' }] });
    // A short wait: the page (a style sheet, no SDK) is there at once, the preview never comes.
    const quick = createRenderer({ render: { timeoutMs: 4000, maxHeight: 8000 }, tools: h.config.tools }, blobs);
    try {
      const bare = `${site.origin}/site.css`;
      const err = await quick.render({ ...v.target('phone'), controlUrl: bare, variantUrl: bare }).catch((e: unknown) => e);
      expect((err as RenderFailure).reason).toBe('sdk_not_found');
    } finally {
      await quick.close();
    }
  });
});
