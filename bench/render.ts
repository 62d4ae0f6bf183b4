// Rendering one proposal version (issue 23): `npm run bench:render`.
//
// The render engine (src/renders/render.ts) as the render worker runs it, in this process: the sample
// site's product page (sdk/sample-site/, its own origin) with the real API answering the SDK's preview
// requests, one proposal version (a headline text, a style and a class), rendered at PC and phone width,
// control and variant each (4 full-page screenshots, PNG + WebP thumbnails in the blob store, the
// pixel diff and checks). BENCH_RENDER_RUNS rounds (default 7) after a first one that also launches
// Chromium. Printed: seconds per version (median, p95, the first with the launch), this process's RSS
// and peak RSS and Chromium's processes' RSS; and a baseline measured in the same run: the same four
// views as bare page.goto + full-page screenshot (JavaScript off: no SDK, no preview request, no
// encoding, no diff, no store).
// Env: BENCH_RENDER_RUNS, BENCH_RENDER_OUT (a folder: the first round's images are written there to look
// at), CHROMIUM_PATH (default: chromium on PATH, else /usr/bin/chromium).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { fileBlobStore } from '../src/blobs/store.ts';
import { loadConfig } from '../src/config.ts';
import { createSiteKey } from '../src/db/site-keys.ts';
import { resolveChromium } from '../src/infra/tools.ts';
import { createRenderer, WIDTHS, type Device } from '../src/renders/render.ts';
import type { ChangeSet } from '../src/shared/changes.ts';
import { previewLink, resolvePreviewKey } from '../src/site/preview.ts';
import { startSampleSite } from '../src/site/sample-site.ts';
import { seedClient, seedTest, startBenchStack } from './common.ts';
import { percentile } from './load.ts';

const RUNS = Number(process.env.BENCH_RENDER_RUNS ?? 7);
const DEVICES: Device[] = ['pc', 'phone'];
const CHANGES: ChangeSet = {
  css: '.cta { font-size: 1.25rem; padding: 14px 28px }',
  mutations: [
    { selector: '#headline', action: 'set_text', value: 'Tea cups fired by hand in Mashiko' },
    { selector: '.lead', action: 'add_class', value: 'lead-strong' },
  ],
};

const MB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** RSS of Chromium's processes under this one (browser, GPU, renderers; not the embedded Postgres), bytes. */
function chromiumRssNow(): number {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => {
      const [pid, ppid, rss, comm] = l.trim().split(/\s+/);
      return [Number(pid), Number(ppid), /chrom/i.test(comm ?? '') ? Number(rss) : 0] as [number, number, number];
    });
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of rows) if (mine.has(ppid) && !mine.has(pid)) (mine.add(pid), (grew = true));
  }
  return rows.filter(([pid]) => pid !== process.pid && mine.has(pid)).reduce((sum, [, , rss]) => sum + rss * 1024, 0);
}

const stack = await startBenchStack({ logLevel: 'warn' });
let siteKey = '';
const site = await startSampleSite({ api: stack.address, key: () => siteKey });
try {
  const seeded = await seedClient(stack.db, 'Render bench shop');
  const { testId } = await seedTest(stack.db, seeded, [1, 1]);
  siteKey = (await createSiteKey(stack.db, { clientId: seeded.clientId, origins: [site.origin], createdBy: seeded.csId })).key;
  const pageUrl = `${site.origin}/product.html`;
  const t = await stack.db.selectFrom('tests').select(['offer_id', 'page_id']).where('id', '=', testId).executeTakeFirstOrThrow();
  await stack.db.updateTable('pages').set({ url: pageUrl }).where('id', '=', t.page_id).execute();
  const hacker = await stack.db.insertInto('hackers').values({ display_name: 'Bench hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
  const text = { title: 'Say it is handmade', description: 'bench', design_url: 'https://design.example/bench' };
  const proposal = await stack.db.insertInto('proposals').values({ offer_id: t.offer_id, hacker_id: hacker.id, ...text }).returning('id').executeTakeFirstOrThrow();
  const version = await stack.db.insertInto('proposal_versions').values({ proposal_id: proposal.id, version: 1, ...text, changes: JSON.stringify(CHANGES) }).returning('id').executeTakeFirstOrThrow();

  // The stack's own configuration as the worker reads it (its data folder: the dev preview key, the blobs).
  const config = { ...loadConfig({ ...process.env, KAIZEN_DATA_DIR: stack.dataDir }), databaseUrl: undefined };
  const key = resolvePreviewKey(config);
  const link = { version_id: version.id, client_id: seeded.clientId, page_url: pageUrl };
  const target = (device: Device) => ({ controlUrl: previewLink(key, { ...link, control: true }, 30).url, variantUrl: previewLink(key, link, 30).url, device, changes: CHANGES });
  const blobs = fileBlobStore(path.join(stack.dataDir, 'blobs'));
  const renderer = createRenderer(config, blobs);

  const renderVersion = async () => {
    const t0 = performance.now();
    const results = [];
    for (const d of DEVICES) results.push(await renderer.render(target(d)));
    return { ms: performance.now() - t0, results };
  };
  const first = await renderVersion();
  if (process.env.BENCH_RENDER_OUT) {
    mkdirSync(process.env.BENCH_RENDER_OUT, { recursive: true });
    for (const [i, r] of first.results.entries())
      for (const [arm, img] of [['control', r.control], ['variant', r.variant]] as const) {
        writeFileSync(path.join(process.env.BENCH_RENDER_OUT, `${DEVICES[i]}-${arm}.png`), (await blobs.get(img.sha256))!.bytes);
        writeFileSync(path.join(process.env.BENCH_RENDER_OUT, `${DEVICES[i]}-${arm}-thumb.webp`), (await blobs.get(img.thumb_sha256))!.bytes);
      }
  }
  const failed = first.results.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => c.name));
  let chromiumRss = chromiumRssNow();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    times.push((await renderVersion()).ms);
    chromiumRss = Math.max(chromiumRss, chromiumRssNow());
  }
  const rss = process.memoryUsage().rss;
  await renderer.close();

  // Baseline: the same four views, bare (JavaScript off: no SDK), screenshots kept in memory only.
  const browser = await chromium.launch({ executablePath: resolveChromium(config.tools), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars'] });
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    for (const d of DEVICES) {
      for (let view = 0; view < 2; view++) {
        const context = await browser.newContext({ viewport: { width: WIDTHS[d], height: 900 }, javaScriptEnabled: false });
        const page = await context.newPage();
        await page.goto(pageUrl, { waitUntil: 'load' });
        await page.screenshot({ fullPage: true });
        await context.close();
      }
    }
    bare.push(performance.now() - t0);
  }
  await browser.close();

  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const w = sorted(times), b = sorted(bare);
  const sizes = first.results.map((r, i) => `${DEVICES[i]} ${r.variant.width}×${r.variant.height}`).join(', ');
  console.log(`render one proposal version (pc + phone, control + variant: 4 full-page shots; ${sizes}), ${RUNS} rounds`);
  console.log(`  engine:   median ${s(percentile(w, 50))}  p95 ${s(percentile(w, 95))}  first (with Chromium's launch) ${s(first.ms)}  target ≤ 15 s`);
  console.log(`  baseline: median ${s(percentile(b, 50))}  p95 ${s(percentile(b, 95))}  (bare goto + full-page screenshot ×4, no SDK, no encoding)`);
  // This process also runs the API (the preview requests): a render worker alone is smaller.
  console.log(`  memory:   this process (renderer + API) RSS ${MB(rss)}, peak ${MB(process.resourceUsage().maxRSS * 1024)}; Chromium's processes ${MB(chromiumRss)} at most`);
  console.log(`  machine:  ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} (other work on the machine slows both lines alike)`);
  console.log(`  checks not ok on this version: ${failed.length ? failed.join(', ') : 'none'}`);
} finally {
  await site.close();
  await stack.close();
}
