// The browser SDK against GrowthBook's in real Chromium: `npm run bench:sdk`.
//
// The same page twice, one per SDK, each installed as its docs say (a classic script in <head>, then
// init): Kaizen's /sdk/v1.js from the API with a site key, 5 running tests (everyone in arm A; test 1's
// arm sets the headline's text); GrowthBook's bundle (@growthbook/growthbook, dist/bundles/index.min.js)
// with a payload of 5 experiment rules (everyone in variation 1) and one visual experiment setting the
// same headline (dom-mutator, like ours), its payload served by a server of its own on another origin
// like our API. Both under the same CDP network throttling, interleaved (the order alternates per
// round), BENCH_SDK_RUNS rounds (default 15). Each round: a cold view (a fresh browser context: no
// storage, no HTTP cache) then a repeat view (the same context, a new navigation).
// Measured in the page (performance.now()): script start (the inline init script, the SDK file
// loaded) → the 5 decisions known to the page; and decision → the headline changed (a
// MutationObserver from before the page's first byte; negative: applied before init resolved).
// Env: BENCH_SDK_RUNS, BENCH_SDK_LATENCY (ms, default 150), CHROMIUM_PATH (default /usr/bin/chromium).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { createSiteKey } from '../src/db/site-keys.ts';
import { sdkFiles } from '../src/site/sdk-build.ts';
import { seedClient, seedTest, startBenchStack } from './common.ts';
import { percentile } from './load.ts';

const RUNS = Number(process.env.BENCH_SDK_RUNS ?? 15);
const LATENCY = Number(process.env.BENCH_SDK_LATENCY ?? 150);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// DevTools' "Fast 3G"-like link: 1.6 Mbit/s down, 750 kbit/s up, LATENCY ms per round trip.
const THROTTLE = { offline: false, latency: LATENCY, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };
const VISITOR = 'bench-visitor';
// Its package exports no bundle path: the file beside its package.json.
const GB_FILE = readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('@growthbook/growthbook/package.json')), 'dist/bundles/index.min.js'));

const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

// Records when the headline first shows the variant's text, from before any of the page's scripts.
const WATCH = `(() => {
  const seen = () => { const h = document.getElementById('h0'); if (h && h.textContent === 'Variant' && window.__applied === undefined) window.__applied = performance.now(); };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

const BODY = '<body><h1 id="h0">Original</h1><p>A product page.</p><button id="buy">Buy</button></body></html>';

function kaizenPage(api: string, key: string, tests: number[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Bench</title>
<script src="${api}/sdk/v1.js"></script>
<script>
  const t0 = performance.now();
  Kaizen.init({ key: '${key}', visitorId: '${VISITOR}' }).then((kz) => {
    const arms = ${JSON.stringify(tests)}.map((id) => kz.variant(id, { expose: false }).arm);
    window.__bench = { t0, decided: performance.now(), arms };
  });
</script></head>${BODY}`;
}

function growthbookPage(site: string, gbApi: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Bench</title>
<script src="${site}/gb.js"></script>
<script>
  const t0 = performance.now();
  const gb = new growthbook.GrowthBook({ apiHost: '${gbApi}', clientKey: 'sdk-bench', attributes: { id: '${VISITOR}' } });
  gb.init({ timeout: 5000 }).then(() => {
    const arms = ['f1', 'f2', 'f3', 'f4', 'f5'].map((k) => gb.evalFeature(k).value);
    window.__bench = { t0, decided: performance.now(), arms };
  });
</script></head>${BODY}`;
}

// GrowthBook's payload: 5 features with an experiment rule each (variation 1 for everyone) and one
// visual experiment (variation 1 sets the headline's text), like our 5 tests.
const GB_PAYLOAD = JSON.stringify({
  features: Object.fromEntries(
    [1, 2, 3, 4, 5].map((i) => [`f${i}`, { defaultValue: 0, rules: [{ key: `e${i}`, variations: [0, 1], weights: [0, 1], coverage: 1, hashAttribute: 'id' }] }]),
  ),
  experiments: [
    {
      key: 'visual-1',
      hashAttribute: 'id',
      weights: [0, 1],
      coverage: 1,
      variations: [{}, { domMutations: [{ selector: '#h0', action: 'set', attribute: 'html', value: 'Variant' }] }],
    },
  ],
});

interface Sample {
  decide: number;
  applied: number;
}

async function view(browser: Browser, url: string): Promise<{ cold: Sample; repeat: Sample }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', THROTTLE);
    await page.addInitScript(WATCH);
    const once = async (): Promise<Sample> => {
      await page.goto(url);
      await page.waitForFunction('window.__bench && window.__applied !== undefined', undefined, { timeout: 30_000 });
      const r = (await page.evaluate('({ ...window.__bench, applied: window.__applied })')) as { t0: number; decided: number; applied: number; arms: unknown[] };
      if (!r.arms.every((a) => a === 'A' || a === 1)) throw new Error(`unexpected arms ${JSON.stringify(r.arms)} on ${url}`);
      return { decide: r.decided - r.t0, applied: r.applied - r.decided };
    };
    const cold = await once();
    // The repeat view: a new navigation in the same context (stored config and HTTP cache kept).
    const repeat = await once();
    return { cold, repeat };
  } finally {
    await context.close();
  }
}

const stack = await startBenchStack({ logLevel: 'warn' });
const servers: Server[] = [];
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  console.log(`node ${process.version}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${RUNS} interleaved rounds; throttled: ${LATENCY} ms latency, 1.6/0.75 Mbit/s`);
  // GrowthBook's payload on an origin of its own (CORS), as our API is.
  const gbApiServer = createServer((req, res) => {
    if (!req.url?.startsWith('/api/features/')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=30' }).end(GB_PAYLOAD);
  });
  servers.push(gbApiServer);
  const gbApi = await listen(gbApiServer);

  let kzHtml = '';
  let gbHtml = '';
  const siteServer = createServer((req, res) => {
    if (req.url === '/kz.html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(kzHtml);
    if (req.url === '/gb.html') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(gbHtml);
    // GrowthBook's bundle cached like our SDK (/sdk/v1.js: public, max-age=300).
    if (req.url === '/gb.js') return void res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'public, max-age=300' }).end(GB_FILE);
    res.writeHead(404).end();
  });
  servers.push(siteServer);
  const site = await listen(siteServer);

  // 5 running tests of one client, everyone in arm A; test 1's arm A sets the headline on the bench page.
  const seeded = await seedClient(stack.db);
  const tests: number[] = [];
  const hacker = await stack.db.insertInto('hackers').values({ display_name: 'Bench hacker', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
  for (let i = 0; i < 5; i++) {
    const t = await seedTest(stack.db, seeded, [0, 1]);
    tests.push(t.testId);
    const test = await stack.db.selectFrom('tests').select(['offer_id', 'page_id']).where('id', '=', t.testId).executeTakeFirstOrThrow();
    await stack.db.updateTable('pages').set({ url: `${site}/kz.html` }).where('id', '=', test.page_id).execute();
    if (i > 0) continue;
    const proposal = await stack.db.insertInto('proposals').values({ offer_id: test.offer_id, hacker_id: hacker.id, title: 'Bench variant', description: 'bench', design_url: 'https://design.example/bench' }).returning('id').executeTakeFirstOrThrow();
    const version = await stack.db
      .insertInto('proposal_versions')
      .values({ proposal_id: proposal.id, version: 1, title: 'Bench variant', description: 'bench', design_url: 'https://design.example/bench', changes: JSON.stringify({ mutations: [{ selector: '#h0', action: 'set_text', value: 'Variant' }] }) } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    await stack.db.updateTable('variants').set({ proposal_version_id: version.id } as never).where('test_id', '=', t.testId).where('arm', '=', 'A').execute();
  }
  const key = (await createSiteKey(stack.db, { clientId: seeded.clientId, origins: [site], createdBy: seeded.csId, ratePerMinute: 100_000 })).key;
  kzHtml = kaizenPage(stack.address, key, tests);
  gbHtml = growthbookPage(site, gbApi);

  const results = { kaizen: { cold: [] as Sample[], repeat: [] as Sample[] }, growthbook: { cold: [] as Sample[], repeat: [] as Sample[] } };
  // One unmeasured round each: Chromium's and the API's first-use costs.
  await view(browser, `${site}/kz.html`);
  await view(browser, `${site}/gb.html`);
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 ? (['kaizen', 'growthbook'] as const) : (['growthbook', 'kaizen'] as const);
    for (const sdk of order) {
      const r = await view(browser, `${site}/${sdk === 'kaizen' ? 'kz' : 'gb'}.html`);
      results[sdk].cold.push(r.cold);
      results[sdk].repeat.push(r.repeat);
    }
  }

  const stat = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${percentile(s, 50).toFixed(1).padStart(7)} ${percentile(s, 95).toFixed(1).padStart(7)}`;
  };
  console.log('\nms (median p95)                      Kaizen SDK        GrowthBook        Kaizen/GrowthBook (median)');
  for (const when of ['cold', 'repeat'] as const) {
    for (const what of ['decide', 'applied'] as const) {
      const k = results.kaizen[when].map((x) => x[what]);
      const g = results.growthbook[when].map((x) => x[what]);
      const med = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
      const label = `${when} view, ${what === 'decide' ? 'script start → 5 decisions' : 'decision → change applied'}`;
      console.log(`${label.padEnd(36)} ${stat(k)}   ${stat(g)}   ${what === 'decide' ? (med(k) / med(g)).toFixed(2) : ''}`);
    }
  }
  const { esm, iife } = await sdkFiles();
  console.log(`\nsize gzipped: Kaizen v1.js ${iife.gzip.length} B (v1.mjs ${esm.gzip.length} B); GrowthBook index.min.js ${gzipSync(GB_FILE, { level: 9 }).length} B`);
} finally {
  await browser.close();
  for (const s of servers) await new Promise((r) => s.close(r));
  await stack.close();
}
