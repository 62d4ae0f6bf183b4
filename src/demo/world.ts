// The demo's marketplace: what it seeds (three clients, a network of growth hackers with payee
// records, staff, a growth team, a partner) and the people who then act on it, each with its own
// token and only through the public HTTP API (src/sim/actors.ts's ApiClient): hackers propose to the
// offers they can see with a real change set against the client's page (the sample site, which the
// demo serves per client with the SDK snippet, so every variant truly runs in a browser; better
// hackers write better variants), clients select, each client's site asks
// for assignments and posts exposures and conversions at a hidden true rate per variant, CS adds
// learnings. Everything is derived from the seed, so a run can be repeated, and from the API's own
// state, so a restarted demo picks every engagement up where it was.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { corporateNumberCheckDigit } from '../domain/payouts/corporate-number.ts';
import type { OfferKind } from '../shared/cycles.ts';
import { ApiClient, rng, sampleSiteChanges, sleep, type Json } from '../sim/actors.ts';

export interface DemoPerson {
  id: number;
  name: string;
  token: string;
}
export interface DemoClient {
  id: number;
  name: string;
  industry: string;
  user: DemoPerson;
  cs: DemoPerson;
  engagementId: number;
  offerKinds: OfferKind[];
  pages: { id: number; url: string; page_type: string }[];
  /** The client's site: the sample site on its own origin, with the client's site key in its snippet. */
  site?: { origin: string; key: string };
}
export interface DemoState {
  version: 1;
  seed: number;
  monthSeconds: number;
  createdAt: string;
  adminToken: string;
  cs: DemoPerson[];
  finance: DemoPerson[];
  partner?: { id: number; name: string; user?: DemoPerson };
  clients: DemoClient[];
  hackerIds: number[];
  /** hacker id → token, created when the hacker first acts. */
  hackerTokens: Record<string, string>;
  firstMonth?: string;
  payoutRunId?: number;
  invoicing?: string;
  networkMonths: string[];
}

export const STATE_FILE = 'demo-state.json';

export function loadState(dataDir: string): DemoState | undefined {
  const f = path.join(dataDir, STATE_FILE);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as DemoState) : undefined;
}

export function saveState(dataDir: string, state: DemoState) {
  const f = path.join(dataDir, STATE_FILE);
  writeFileSync(`${f}.tmp`, JSON.stringify(state, null, 1), { mode: 0o600 });
  renameSync(`${f}.tmp`, f);
}

/** A deterministic number in [0, 1) from the seed and a key. */
export function hash01(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('/')).digest().readUInt32BE(0) / 4294967296;
}

/** The month's compressed windows, from the month length (seconds). */
export function demoSettings(monthSeconds: number) {
  const s = (f: number, min: number) => Math.max(min, Math.round(monthSeconds * f));
  return {
    planning_seconds: s(0.3, 20),
    offer_window_seconds: s(0.1, 10),
    selection_seconds: s(0.2, 20),
    test_max_seconds: s(0.4, 30),
    interim_check_seconds: Math.max(2, Math.round(monthSeconds / 60)),
    learning_seconds: s(0.06, 10),
    min_proposals: 1,
    adoption_fee_yen: 120_000,
    win_bonus_yen: 80_000,
    mde_relative: 0.3,
    targeted_top_n: 40,
  };
}

const SKILLS = ['design', 'copywriting', 'frontend', 'analytics', 'forms', 'ux', 'seo', 'cro'];
const INDUSTRIES = ['finance', 'cosmetics', 'recruiting', 'ecommerce', 'saas', 'travel'];
const FAMILY = ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Ito', 'Watanabe', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Kato', 'Yoshida', 'Yamada', 'Sasaki', 'Matsumoto', 'Inoue', 'Kimura', 'Hayashi', 'Shimizu'];
const GIVEN = ['Aiko', 'Haruto', 'Yui', 'Sota', 'Mei', 'Ren', 'Hina', 'Yuto', 'Sakura', 'Riku', 'Mio', 'Kaito', 'Yuna', 'Takumi', 'Rin', 'Daiki', 'Emi', 'Kenta'];
const KANA = 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜ';

interface ClientSpec {
  name: string;
  industry: string;
  offerKinds: OfferKind[];
  pages: { url: string; page_type: string; baseline_rate: number; daily_visitors: number; value_per_conversion_yen: number }[];
  problems: string[];
}

export const CLIENTS: ClientSpec[] = [
  {
    name: 'Kizuna Card (credit-card application)',
    industry: 'finance',
    offerKinds: ['targeted', 'open'],
    pages: [
      { url: 'https://kizuna-card.example/apply', page_type: 'form', baseline_rate: 0.22, daily_visitors: 9000, value_per_conversion_yen: 12000 },
      { url: 'https://kizuna-card.example/lp/cashback', page_type: 'landing', baseline_rate: 0.18, daily_visitors: 15000, value_per_conversion_yen: 9000 },
    ],
    problems: ['Applicants drop at the income step of the form', 'The cashback landing page buries the annual-fee answer', 'Address entry fails on mobile keyboards'],
  },
  {
    name: 'Hanairo Cosme (cosmetics e-commerce)',
    industry: 'cosmetics',
    offerKinds: ['team', 'targeted'],
    pages: [
      { url: 'https://hanairo-cosme.example/cart', page_type: 'checkout', baseline_rate: 0.25, daily_visitors: 6000, value_per_conversion_yen: 6500 },
      { url: 'https://hanairo-cosme.example/products/serum', page_type: 'product', baseline_rate: 0.15, daily_visitors: 20000, value_per_conversion_yen: 4800 },
    ],
    problems: ['Shipping cost appears only at the last step', 'Product page shows no skin-type guidance', 'Sample-set upsell interrupts the checkout'],
  },
  {
    name: 'Baito Now (part-time recruiting)',
    industry: 'recruiting',
    offerKinds: ['open', 'open'],
    pages: [
      { url: 'https://baito-now.example/jobs/detail', page_type: 'job_detail', baseline_rate: 0.2, daily_visitors: 30000, value_per_conversion_yen: 3000 },
      { url: 'https://baito-now.example/search', page_type: 'search', baseline_rate: 0.24, daily_visitors: 40000, value_per_conversion_yen: 1500 },
    ],
    problems: ['Apply button hidden below the shift table', 'Search results do not show hourly pay first', 'Sign-up asked before the application'],
  },
];

/** Concurrency-limited map. */
export async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

function invoiceNumber(r: () => number) {
  const base = Array.from({ length: 12 }, () => Math.floor(r() * 10)).join('');
  return `T${corporateNumberCheckDigit(base)}${base}`;
}

/** Seeds the marketplace through the API as the admin, CS and finance would. */
/** A client's pages on its sample site: the static product page and the client-side rendered shop. */
export const SAMPLE_PAGES = ['/product.html', '/app.html'] as const;

export async function seedDemo(
  api: ApiClient,
  adminToken: string,
  opts: { seed: number; hackers: number; monthSeconds: number; print: (l: string) => void; siteOrigins: string[] },
): Promise<DemoState> {
  const r = rng(opts.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const some = <T>(xs: T[], k: number) => [...xs].sort(() => r() - 0.5).slice(0, k);
  const user = async (name: string, role: string, bind: Record<string, number> = {}): Promise<DemoPerson> => {
    const u = await api.ok('POST', '/v1/users', adminToken, { name, role, ...bind });
    return { id: u.id, name, token: u.token };
  };
  const t0 = Date.now();
  const cs = [await user('Aiko Sato (CS)', 'cs_manager'), await user('Kenji Mori (CS)', 'cs_manager'), await user('Yuki Ono (CS)', 'cs_manager')];
  const finance = [await user('Haruka Ishii (finance)', 'finance'), await user('Takeshi Noda (finance)', 'finance')];

  // The network: 3,600 by default. Each hacker is a POST by CS and its payee record a PUT by finance.
  const specs = Array.from({ length: opts.hackers }, (_, i) => {
    const corporation = r() < 0.12;
    const nonResident = !corporation && r() < 0.06;
    const family = pick(FAMILY);
    const given = pick(GIVEN);
    return {
      i,
      display_name: corporation ? `${family} Growth Lab ${i + 1}` : `${given} ${family} ${i + 1}`,
      kind: corporation ? 'corporation' : 'individual',
      residency: nonResident ? 'non_resident' : 'resident',
      skills: some(SKILLS, 1 + Math.floor(r() * 3)),
      industries: some(INDUSTRIES, 1 + Math.floor(r() * 2)),
      treaty: nonResident ? (r() < 0.5 ? { form_filed: true, limit_rate_percent: pick([0, 10, 15]) } : null) : undefined,
      invoice: !nonResident && r() < (corporation ? 0.9 : 0.35) ? { registration_number: invoiceNumber(r), registered_on: '2023-10-01' } : undefined,
      bank:
        r() < 0.98
          ? {
              bank_code: '0001',
              branch_code: '001',
              account_type: '1',
              account_number: String(1_000_000 + Math.floor(r() * 8_999_999)),
              holder_name: corporation ? `ｶ)${family.toUpperCase()}ｸﾞﾛｰｽ` : Array.from({ length: 6 }, () => pick([...KANA])).join(''),
            }
          : undefined,
    };
  });
  let done = 0;
  const hackerIds = await pool(specs, 16, async (s) => {
    const h = await api.ok('POST', '/v1/hackers', cs[0]!.token, { display_name: s.display_name, kind: s.kind, residency: s.residency, skills: s.skills, industries: s.industries });
    const payee: Json = { kind: s.kind, residency: s.residency, legal_name: s.kind === 'corporation' ? `株式会社${s.display_name}` : s.display_name };
    if (s.treaty !== undefined) payee.treaty = s.treaty;
    if (s.invoice) payee.invoice = s.invoice;
    if (s.bank) payee.bank = s.bank;
    const a = await api.call('PUT', `/v1/hackers/${h.id}/payee`, finance[0]!.token, payee);
    if (a.status !== 200) opts.print(`  payee of hacker ${h.id} refused (${a.status}): ${a.raw.toString('utf8').slice(0, 200)}`);
    if (++done % 600 === 0) opts.print(`  ${done}/${specs.length} growth hackers (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    return h.id as number;
  });

  const clients: DemoClient[] = [];
  const settings = demoSettings(opts.monthSeconds);
  for (const [i, spec] of CLIENTS.entries()) {
    const c = await api.ok('POST', '/v1/clients', cs[i]!.token, { name: spec.name, industry: spec.industry });
    const clientUser = await user(`${spec.name.split(' (')[0]} owner`, 'client', { client_id: c.id });
    // The client's site is the sample site on its own origin: its pages are the engagement's pages,
    // and CS gives it a site key for that origin (the snippet the site carries).
    const origin = opts.siteOrigins[i]!;
    const sitePages = spec.pages.map((p, k) => ({ ...p, url: origin + SAMPLE_PAGES[k % SAMPLE_PAGES.length] }));
    const e = await api.ok(
      'POST',
      '/v1/engagements',
      cs[i]!.token,
      { client_id: c.id, cs_manager_id: cs[i]!.id, offer_mode: spec.offerKinds[0], monthly_fee_yen: [800_000, 600_000, 500_000][i], month_length_seconds: opts.monthSeconds, settings, pages: sitePages },
      { 'idempotency-key': `demo-engagement-${opts.seed}-${i}` },
    );
    // (Its CS manager manages the client from the engagement on.)
    const siteKey = await api.ok('POST', `/v1/clients/${c.id}/site-keys`, cs[i]!.token, { origins: [origin], label: `${spec.name.split(' (')[0]} (demo sample site)` });
    const pages = (await api.ok('GET', `/v1/engagements/${e.id}/pages`, cs[i]!.token)).items.map((p: Json) => ({ id: p.id, url: p.url, page_type: p.page_type }));
    clients.push({ id: c.id, name: spec.name, industry: spec.industry, user: clientUser, cs: cs[i]!, engagementId: e.id, offerKinds: spec.offerKinds, pages, site: { origin, key: siteKey.key } });
  }
  // The cosmetics client has a growth team of 10 × 10% and a 5% persistent holdout.
  const team = await api.call('POST', `/v1/engagements/${clients[1]!.engagementId}/team/form`, clients[1]!.cs.token, { size: 10, share_percent: 10 });
  if (team.status !== 200) opts.print(`  growth team not formed (${team.status}); team offers fall back to targeted`);
  const holdout = await api.call('PUT', `/v1/clients/${clients[1]!.id}/holdout`, clients[1]!.cs.token, { holdout_percent: 5 });
  if (holdout.status !== 200) opts.print(`  holdout not set (${holdout.status})`);
  // A staffing partner referred the recruiting site (15% commission).
  let partner: DemoState['partner'];
  const p = await api.call('POST', '/v1/partners', finance[0]!.token, { name: 'Jinzai Link', legal_name: '株式会社ジンザイリンク' });
  if (p.status === 201) {
    partner = { id: p.body.id, name: 'Jinzai Link' };
    const pu = await api.call('POST', `/v1/partners/${p.body.id}/users`, adminToken, { name: 'Jinzai Link staff' });
    if (pu.status === 201 || pu.status === 200) partner.user = { id: pu.body.id, name: 'Jinzai Link staff', token: pu.body.token };
    const at = await api.call('PUT', `/v1/engagements/${clients[2]!.engagementId}/partner`, finance[0]!.token, { partner_id: p.body.id, mode: 'referral', commission_bp: 1500 });
    if (at.status !== 200) opts.print(`  partner attribution refused (${at.status}): ${at.raw.toString('utf8').slice(0, 200)}`);
  } else opts.print(`  partner not created (${p.status})`);
  opts.print(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${hackerIds.length} growth hackers, ${clients.length} clients, 3 CS managers, 2 finance users`);
  return { version: 1, seed: opts.seed, monthSeconds: opts.monthSeconds, createdAt: new Date().toISOString(), adminToken, cs, finance, partner, clients, hackerIds, hackerTokens: {}, networkMonths: [] };
}

const TERMINAL = new Set(['completed', 'failed', 'abandoned']);

export interface ActorStats {
  proposals: number;
  selections: number;
  visitors: number;
  learnings: number;
}

/**
 * The people of the demo, acting on every live cycle of every engagement until stopped. Each cycle
 * gets its own loop that reads the phase and does what the people would at that point; every action
 * is idempotent (Idempotency-Key, 409 on a repeat, deduplicated event ids), so a restart just resumes.
 */
export class DemoActors {
  readonly stats: ActorStats = { proposals: 0, selections: 0, visitors: 0, learnings: 0 };
  private readonly cycles = new Map<number, Promise<void>>();
  private readonly sites = new Set<number>();
  private stopped = false;
  private readonly gradeCache = new Map<number, { grade: string; at: number }>();

  constructor(
    readonly api: ApiClient,
    readonly state: DemoState,
    private readonly save: () => void,
    private readonly print: (l: string) => void,
  ) {}

  stop() {
    this.stopped = true;
  }

  /** Polls every engagement's cycles and starts a loop for each live one not yet followed. */
  async run(): Promise<void> {
    while (!this.stopped) {
      for (const c of this.state.clients) {
        const list = await this.api.call('GET', `/v1/cycles?engagement_id=${c.engagementId}&limit=50`, c.cs.token);
        if (list.status !== 200) continue;
        for (const cy of list.body.items as Json[]) {
          if (TERMINAL.has(cy.phase) || this.cycles.has(cy.id)) continue;
          this.cycles.set(
            cy.id,
            this.followCycle(c, cy.id).catch((err) => this.print(`  cycle ${cy.id}: ${String(err).slice(0, 300)}`)),
          );
        }
      }
      await sleep(1500);
    }
  }

  private async hackerToken(hackerId: number): Promise<string> {
    const have = this.state.hackerTokens[hackerId];
    if (have) return have;
    const u = await this.api.ok('POST', '/v1/users', this.state.adminToken, { name: `hacker ${hackerId}`, role: 'hacker', hacker_id: hackerId });
    this.state.hackerTokens[hackerId] = u.token;
    this.save();
    return u.token;
  }

  /** Hidden skill of a hacker in [0, 1): most are average, a few are very good. */
  quality(hackerId: number) {
    return Math.pow(hash01(this.state.seed, 'quality', hackerId), 1.6);
  }

  private async grade(hackerId: number, token: string): Promise<string> {
    const c = this.gradeCache.get(hackerId);
    if (c && Date.now() - c.at < 60_000) return c.grade;
    const a = await this.api.call('GET', `/v1/hackers/${hackerId}`, token);
    const grade = a.status === 200 ? String(a.body.grade ?? 'none') : 'none';
    this.gradeCache.set(hackerId, { grade, at: Date.now() });
    return grade;
  }

  /**
   * The variant's hidden true lift: better hackers (hidden skill, and their grade as the network
   * sees it) more often write a real improvement; about half win, some lose, the rest are flat.
   */
  async trueLift(proposalId: number, hackerId: number | undefined): Promise<number> {
    let p = 0.3;
    if (hackerId !== undefined) {
      const token = this.state.hackerTokens[hackerId];
      const g = token ? await this.grade(hackerId, token) : 'none';
      p = Math.min(0.9, 0.32 + 0.4 * this.quality(hackerId) + (({ gold: 0.15, silver: 0.08, bronze: 0.03 } as Record<string, number>)[g] ?? 0));
    }
    const u = hash01(this.state.seed, 'lift', proposalId);
    const v = hash01(this.state.seed, 'size', proposalId);
    if (u < p) return 0.35 + 0.35 * v;
    if (u < p + (1 - p) * 0.35) return -(0.3 + 0.2 * v);
    return (v - 0.5) * 0.04;
  }

  private async followCycle(c: DemoClient, cycleId: number): Promise<void> {
    const done = { plan: false, offers: new Set<number>(), selection: false, learnings: new Set<number>() };
    const cs = c.cs.token;
    while (!this.stopped) {
      const cy = await this.api.call('GET', `/v1/cycles/${cycleId}`, cs);
      if (cy.status !== 200) return;
      const phase = cy.body.phase as string;
      if (TERMINAL.has(phase)) {
        this.print(`  ${c.name.split(' (')[0]}: cycle ${cycleId} (${cy.body.month}) ${phase}`);
        return;
      }
      if (phase === 'planning' && !done.plan) {
        await this.plan(c, cycleId);
        done.plan = true;
      } else if (phase === 'offer_posting' || phase === 'proposals') {
        const offers = (await this.api.ok('GET', `/v1/offers?limit=200`, cs)).items.filter((o: Json) => o.cycle_id === cycleId && !done.offers.has(o.id));
        for (const o of offers) {
          done.offers.add(o.id);
          void this.propose(c, o).catch((err) => this.print(`  offer ${o.id}: ${String(err).slice(0, 200)}`));
        }
      } else if (phase === 'selection' && !done.selection) {
        await this.select(c, cycleId);
        done.selection = true;
      } else if (phase === 'test_run') {
        const tests = (await this.api.ok('GET', `/v1/tests?engagement_id=${c.engagementId}&limit=100`, cs)).items.filter((t: Json) => t.cycle_id === cycleId && t.status === 'running');
        for (const t of tests) {
          if (this.sites.has(t.id)) continue;
          this.sites.add(t.id);
          void this.site(c, t.id).catch((err) => this.print(`  test ${t.id}: ${String(err).slice(0, 200)}`));
        }
      } else if (phase === 'knowledge_capture') {
        const tests = (await this.api.ok('GET', `/v1/tests?engagement_id=${c.engagementId}&limit=100`, cs)).items.filter((t: Json) => t.cycle_id === cycleId && !done.learnings.has(t.id));
        for (const t of tests) {
          done.learnings.add(t.id);
          const text =
            t.outcome === 'winner' || t.outcome === 'win'
              ? 'Shipped: the shorter, clearer variant won; keep the pattern for similar pages'
              : t.outcome === 'loser' || t.outcome === 'lose'
                ? 'The variant hurt conversion: users missed the familiar cue; do not repeat'
                : 'No clear difference at this traffic; revisit with a bolder change';
          const l = await this.api.call('POST', `/v1/tests/${t.id}/learnings`, cs, { learnings: text, tags: [c.industry, 'demo'] });
          if (l.status === 200 || l.status === 201) this.stats.learnings++;
        }
      }
      await sleep(1000);
    }
  }

  private async plan(c: DemoClient, cycleId: number) {
    const r = rng(cycleId * 31 + this.state.seed);
    const spec = CLIENTS.find((s) => s.industry === c.industry)!;
    const problems = [...spec.problems].sort(() => r() - 0.5).slice(0, 2);
    const hypotheses = problems.map((problem, k) => ({
      author: k === 0 ? 'client' : 'cs',
      problem,
      page_id: c.pages[k % c.pages.length]!.id,
      metric: 'conversion',
      skills: [k === 0 ? 'forms' : 'copywriting'],
      offer_kind: c.offerKinds[k % c.offerKinds.length],
    }));
    // The client brought its problem to the planning call; CS writes the plan with both ("do both").
    const attempts = [
      { token: c.cs.token, hypotheses },
      { token: c.cs.token, hypotheses: hypotheses.map((h) => ({ ...h, offer_kind: h.offer_kind === 'team' ? 'targeted' : h.offer_kind })) },
      { token: c.user.token, hypotheses: hypotheses.filter((h) => h.author === 'client') },
    ];
    for (const a of attempts) {
      let res = await this.api.call('POST', `/v1/cycles/${cycleId}/plan`, a.token, { hypotheses: a.hypotheses });
      // "the cycle is starting; retry in a moment": its workflow has not taken the update yet.
      for (let i = 0; res.status === 409 && /retry/.test(res.raw.toString('utf8')) && i < 120 && !this.stopped; i++) {
        await sleep(1000);
        res = await this.api.call('POST', `/v1/cycles/${cycleId}/plan`, a.token, { hypotheses: a.hypotheses });
      }
      if (res.status < 400 || res.status === 409) return;
      this.print(`  plan of cycle ${cycleId} refused (${res.status}): ${res.raw.toString('utf8').slice(0, 200)}`);
    }
  }

  /** Who proposes to an offer: the invited (targeted), the team (team) or anyone (open). */
  private async candidates(c: DemoClient, offer: Json): Promise<number[]> {
    const r = rng(offer.id * 7 + this.state.seed);
    let ids: number[] = [];
    if (offer.kind === 'targeted') {
      const a = await this.api.call('GET', `/v1/offers/${offer.id}/invitations`, c.cs.token);
      if (a.status === 200) ids = a.body.invited.map((i: Json) => i.hacker_id);
    } else if (offer.kind === 'team') {
      const a = await this.api.call('GET', `/v1/engagements/${c.engagementId}/team`, c.cs.token);
      if (a.status === 200) ids = a.body.hacker_ids;
    }
    if (!ids.length) ids = this.state.hackerIds;
    // Better hackers answer more often.
    const scored = ids.map((id) => ({ id, s: r() * (0.5 + this.quality(id)) })).sort((a, b) => b.s - a.s);
    return scored.slice(0, 3 + Math.floor(r() * 4)).map((x) => x.id);
  }

  private async propose(c: DemoClient, offer: Json) {
    const who = await this.candidates(c, offer);
    await pool(who, 3, async (hackerId, k) => {
      if (this.stopped) return;
      const token = await this.hackerToken(hackerId);
      // A hacker sees only offers open to it (404 otherwise).
      const seen = await this.api.call('GET', `/v1/offers/${offer.id}`, token);
      if (seen.status !== 200) return;
      await sleep(200 + 400 * k);
      const q = this.quality(hackerId);
      // The hacker reads the page from the brief ("Page: <url> (type)") and writes the variant for it.
      const page = /Page: (\S+)/.exec(String(offer.brief ?? ''))?.[1];
      const changes = page ? sampleSiteChanges(page, rng(hash01(this.state.seed, 'changes', offer.id, hackerId) * 2 ** 31)) : undefined;
      const a = await this.api.call(
        'POST',
        `/v1/offers/${offer.id}/proposals`,
        token,
        {
          title: `${q > 0.5 ? 'Evidence-led' : 'Quick'} fix #${k + 1} for offer ${offer.id}`,
          description: `Variant by hacker ${hackerId}: ${q > 0.5 ? 'based on session recordings and form analytics' : 'a copy and layout tweak'}`,
          design_url: `https://figma.example/demo/${offer.id}/${hackerId}`,
          ...(changes ? { changes } : {}),
        },
        { 'idempotency-key': `demo-proposal-${offer.id}-${hackerId}` },
      );
      if (a.status === 200 || a.status === 201) this.stats.proposals++;
      else if (a.status === 400) this.print(`  proposal of hacker ${hackerId} to offer ${offer.id} refused: ${a.raw.toString('utf8').slice(0, 300)}`);
    });
  }

  private async select(c: DemoClient, cycleId: number) {
    const offers = (await this.api.ok('GET', `/v1/offers?limit=200`, c.cs.token)).items.filter((o: Json) => o.cycle_id === cycleId);
    const selections: Json[] = [];
    for (const o of offers) {
      let a = await this.api.call('GET', `/v1/offers/${o.id}/proposals?limit=100`, c.user.token);
      if (a.status !== 200) a = await this.api.call('GET', `/v1/offers/${o.id}/proposals?limit=100`, c.cs.token);
      if (a.status !== 200) continue;
      const submitted = (a.body.items as Json[]).filter((p) => p.status === 'submitted');
      if (!submitted.length) continue;
      const r = rng(o.id + this.state.seed);
      const n = submitted.length >= 2 && r() < 0.5 ? 2 : 1;
      selections.push({ offer_id: o.id, proposal_ids: [...submitted].sort(() => r() - 0.5).slice(0, n).map((p) => p.id) });
    }
    if (!selections.length) return;
    let s = await this.api.call('POST', `/v1/cycles/${cycleId}/selection`, c.user.token, { selections });
    for (let i = 0; s.status === 409 && /retry/.test(s.raw.toString('utf8')) && i < 120 && !this.stopped; i++) {
      await sleep(1000);
      s = await this.api.call('POST', `/v1/cycles/${cycleId}/selection`, c.user.token, { selections });
    }
    if (s.status === 200 || s.status === 201) this.stats.selections++;
    else if (s.status !== 409) this.print(`  selection of cycle ${cycleId} refused (${s.status}): ${s.raw.toString('utf8').slice(0, 200)}`);
  }

  /** The client's site: assignments, exposures and conversions at each arm's hidden true rate, until the test stops. */
  private async site(c: DemoClient, testId: number) {
    const token = c.user.token;
    let t = await this.api.ok('GET', `/v1/tests/${testId}`, c.cs.token);
    const base = (t.baseline_rate as number | null) ?? 0.2;
    const rates: Record<string, number> = {};
    for (const v of t.variants as Json[]) {
      if (v.proposal_id === null || v.arm === 'control') rates[v.arm] = base;
      else {
        const p = await this.api.call('GET', `/v1/offers/${t.offer_id}/proposals?limit=100`, c.cs.token);
        const hackerId = p.status === 200 ? (p.body.items as Json[]).find((x) => x.id === v.proposal_id)?.hacker_id : undefined;
        rates[v.arm] = Math.min(0.95, Math.max(0.01, base * (1 + (await this.trueLift(v.proposal_id, hackerId)))));
      }
    }
    // Resume: the visitors already counted are skipped (their events would be deduplicated anyway).
    let visitor = (t.arms as Json[]).reduce((n, a) => n + (a.n as number), 0);
    while (!this.stopped && t.status === 'running') {
      const batch = Array.from({ length: 60 }, (_, i) => `v${testId}-${visitor + i}`);
      visitor += batch.length;
      const events: Json[] = [];
      await pool(batch, 4, async (vid) => {
        const a = await this.api.call('GET', `/v1/tests/${testId}/assignment?visitor=${vid}`, token);
        if (a.status !== 200) return;
        const rate = rates[a.body.arm] ?? base;
        events.push({ event_id: `${vid}-x`, visitor_id: vid, type: 'exposure' });
        if (hash01(this.state.seed, 'convert', vid) < rate) events.push({ event_id: `${vid}-c`, visitor_id: vid, type: 'conversion', value: 5000 });
      });
      if (events.length) {
        const e = await this.api.call('POST', `/v1/tests/${testId}/events`, token, { events });
        if (e.status >= 400) break;
        this.stats.visitors += batch.length;
      }
      await sleep(250);
      t = await this.api.ok('GET', `/v1/tests/${testId}`, c.cs.token);
    }
  }
}
