// The demo's marketplace: what it seeds (three clients, a network of growth hackers with payee
// records, staff, a growth team, a partner) and the people who then act on it, each with its own
// token and only through the public HTTP API (src/sim/actors.ts's ApiClient): hackers propose to the
// offers they can see with a real change set against the client's page (its page on the sample site,
// src/demo/pages.ts, which the demo serves per client with the SDK snippet, so every variant truly
// runs in a browser; better hackers write better variants), CS passes them or returns the broken ones
// with a comment and their authors revise them, clients select among what CS passed, each client's
// site asks for assignments and posts exposures and conversions at a hidden true rate per variant, CS
// adds learnings. Everything is derived from the seed, so a run can be repeated, and from the API's own
// state, so a restarted demo picks every engagement up where it was.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assignVariant } from '../domain/assignment.ts';
import { inHoldout } from '../domain/holdout.ts';
import { corporateNumberCheckDigit } from '../domain/payouts/corporate-number.ts';
import type { OfferKind } from '../shared/cycles.ts';
import { ApiClient, rng, sleep, type Json } from '../sim/actors.ts';
import { DEMO_PAGES, demoPageOf, demoVariant, reviewComment, trueEffect, trueRate, type DemoPage } from './pages.ts';

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
    planning_seconds: s(0.25, 20),
    // Long enough for CS to return a broken proposal and its author to revise it.
    offer_window_seconds: s(0.15, 15),
    selection_seconds: s(0.2, 20),
    test_max_seconds: s(0.4, 30),
    interim_check_seconds: Math.max(2, Math.round(monthSeconds / 60)),
    learning_seconds: s(0.06, 10),
    // An answer this close to an offer's deadline moves it by as much, once (a day in a real month).
    qa_extension_seconds: s(0.03, 5),
    // Tuned to the visitors a compressed test gets (about 12,000: DemoActors.site).
    tuning_parameter: 10_000,
    // The final verdict at the planned sample is fixed-horizon (Holm-corrected); the interim checks
    // stay sequential (always valid). A compressed month's few thousand visitors per arm are too few
    // for the sequential interval to call even a +70% lift at the end (0 of 6 tests won in a run).
    verdict_engine: 'frequentist',
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
  /** Its page on the sample site (the month's hypotheses are that page's problems). */
  page: DemoPage;
  /** Its tests' metrics (POST /v1/tests/:id/metrics before traffic); none: conversion. */
  metrics?: Json[];
}

/** The cosmetics cart's tests decide on orders, with revenue per visitor and order value as guardrails (issue 25). */
const CART_METRICS: Json[] = [
  { name: 'orders', role: 'primary', kind: 'binomial', event: 'order' },
  { name: 'revenue_per_visitor', role: 'secondary', kind: 'mean', event: 'order', cap_percentile: 0.99 },
  { name: 'order_value', role: 'guardrail', kind: 'ratio', event: 'order', alpha: 0.05, cap_percentile: 0.99 },
];

export const CLIENTS: ClientSpec[] = [
  { name: 'Kizuna Card (credit-card application)', industry: 'finance', offerKinds: ['targeted', 'open'], page: DEMO_PAGES[0]! },
  { name: 'Hanairo Cosme (cosmetics e-commerce)', industry: 'cosmetics', offerKinds: ['team', 'targeted'], page: DEMO_PAGES[1]!, metrics: CART_METRICS },
  { name: 'Baito Now (part-time recruiting)', industry: 'recruiting', offerKinds: ['open', 'open'], page: DEMO_PAGES[2]! },
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

/** A demo person's e-mail address (delivered to the embedded SMTP server: the dev mailbox). */
const demoEmail = (role: string, userId: number) => `${role.replace('_', '-')}-${userId}@demo.kaizen-desk.localhost`;

/** Seeds the marketplace through the API as the admin, CS and finance would. */
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
    // An address, so the demo's people receive their notifications (the dev mailbox shows them).
    await api.ok('PUT', '/v1/me/notification-preferences', u.token, { email: demoEmail(role, u.id) });
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
    // The client's site is the sample site on its own origin: its page is the engagement's page (at
    // its true rate as the client measured it), and CS gives it a site key for that origin.
    const origin = opts.siteOrigins[i]!;
    const { page } = spec;
    const sitePages = [{ url: origin + page.path, page_type: page.page_type, baseline_rate: page.baseline, daily_visitors: page.daily_visitors, value_per_conversion_yen: page.value_per_conversion_yen }];
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
  /** Returned by CS with a comment, and revised by their authors. */
  returned: number;
  revised: number;
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
  readonly stats: ActorStats = { proposals: 0, returned: 0, revised: 0, selections: 0, visitors: 0, learnings: 0 };
  private readonly cycles = new Map<number, Promise<void>>();
  private readonly sites = new Set<number>();
  private stopped = false;

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
    await this.api.ok('PUT', '/v1/me/notification-preferences', u.token, { email: demoEmail('hacker', u.id) });
    this.state.hackerTokens[hackerId] = u.token;
    this.save();
    return u.token;
  }

  /** Hidden skill of a hacker in [0, 1): most are average, a few are very good. */
  quality(hackerId: number) {
    return Math.pow(hash01(this.state.seed, 'quality', hackerId), 1.6);
  }

  /**
   * The variant's hidden true effect on its page (relative), from the seed alone: better hackers
   * (hidden skill) more often find a real improvement (about 4 in 10 on average), a third of the
   * rest hurt, the others change nothing; sizes are the page type's (src/demo/pages.ts).
   */
  effect(page: DemoPage, proposalId: number, hackerId: number | undefined): number {
    const pGain = hackerId === undefined ? 0.3 : 0.24 + 0.4 * this.quality(hackerId);
    return trueEffect(page, hash01(this.state.seed, 'lift', proposalId), hash01(this.state.seed, 'size', proposalId), pGain);
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
        await this.review(c, cycleId);
        await this.answerQuestions(c, cycleId);
      } else if (phase === 'selection' && !done.selection) {
        // What arrived just before the deadline gets its look before the client chooses.
        await this.review(c, cycleId);
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
    const problems = [...spec.page.problems].sort(() => r() - 0.5).slice(0, 2);
    const hypotheses = problems.map((problem, k) => ({
      author: k === 0 ? 'client' : 'cs',
      problem,
      page_id: c.pages[k % c.pages.length]!.id,
      metric: 'conversion',
      skills: [k === 0 ? 'forms' : 'copywriting'],
      offer_kind: c.offerKinds[k % c.offerKinds.length],
    }));
    // The client brought its problem to the planning call; CS writes a structured brief for each
    // ("do both"), reviews it against the checklist and posts the month's offers from them (issue 28).
    if (await this.planWithBriefs(c, cycleId, hypotheses)) return;
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

  /**
   * The plan as structured briefs: one per hypothesis from the client's industry template, the page,
   * "based on … we expect … because …", the offer's visibility and the same page's past entries read;
   * CS approves each and overrides a failing checklist with a reason (a demo page's traffic is small).
   * False when no brief could be started (the free-text plan is then written instead).
   */
  private async planWithBriefs(c: DemoClient, cycleId: number, hypotheses: Json[]): Promise<boolean> {
    const cs = c.cs.token;
    const templates = (await this.api.call('GET', '/v1/brief-templates', cs)).body?.items?.map((x: Json) => x.industry) ?? [];
    let last = 0;
    for (const h of hypotheses) {
      const b = await this.api.call('POST', `/v1/cycles/${cycleId}/briefs`, cs, { author: h.author, ...(templates.includes(c.industry) ? { template: c.industry } : {}) });
      if (b.status !== 201) return last !== 0;
      last = b.body.id;
      const content = {
        ...b.body.content,
        goal: b.body.content.goal || 'More conversions on this page',
        page_ids: [h.page_id],
        observation: h.problem.charAt(0).toLowerCase() + h.problem.slice(1),
        expected_change: 'more visitors completing the page',
        hypothesis: 'the change removes the friction visitors show there',
        skills: h.skills,
        visibility: h.offer_kind,
        reviewed_knowledge_ids: b.body.suggested_knowledge.filter((k: Json) => k.same_page).slice(0, 1).map((k: Json) => k.id),
      };
      await this.api.call('PUT', `/v1/briefs/${last}`, cs, { content });
      await this.api.call('POST', `/v1/briefs/${last}/submit`, cs);
      const approved = await this.api.call('POST', `/v1/briefs/${last}/approve`, cs);
      if (approved.status === 200 && !approved.body.checklist.passed) {
        const failing = approved.body.checklist.items.filter((i: Json) => !i.passed).map((i: Json) => i.detail).join('; ');
        await this.api.call('POST', `/v1/briefs/${last}/override`, cs, { reason: `Demo month: posted although ${failing}` });
      }
    }
    let res = await this.api.call('POST', `/v1/briefs/${last}/post`, cs);
    // "the cycle is starting; retry in a moment": its workflow has not taken the plan yet.
    for (let i = 0; res.status === 409 && /retry/.test(res.raw.toString('utf8')) && i < 120 && !this.stopped; i++) {
      await sleep(1000);
      res = await this.api.call('POST', `/v1/briefs/${last}/post`, cs);
    }
    if (res.status >= 400) this.print(`  briefs of cycle ${cycleId} not posted (${res.status}): ${res.raw.toString('utf8').slice(0, 200)}`);
    return true;
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
      // Now and then the first reader asks about the brief; CS answers it for every hacker of the offer.
      if (k === 0 && hash01(this.state.seed, 'ask', offer.id) < 0.5) {
        await this.api.call('POST', `/v1/offers/${offer.id}/questions`, token, { body: 'スマートフォンでも同じ変更を入れてよいですか？' });
      }
      await sleep(200 + 400 * k);
      const q = this.quality(hackerId);
      // The hacker reads the page from the brief ("Page: <url> (type)") and writes the variant for it;
      // now and then with a mistake (less often the better the hacker) that CS sends back.
      const url = /Page: (\S+)/.exec(String(offer.brief ?? ''))?.[1];
      const page = url ? demoPageOf(url) : undefined;
      if (!page) return;
      const v = demoVariant(page, rng(hash01(this.state.seed, 'changes', offer.id, hackerId) * 2 ** 31), 0.35 - 0.25 * q);
      const a = await this.api.call(
        'POST',
        `/v1/offers/${offer.id}/proposals`,
        token,
        {
          title: v.labels.join('・'),
          description: `${v.labels.join('、')}。${q > 0.5 ? 'セッション録画とフォーム分析で離脱箇所を特定し、その箇所だけを変えました。' : '文言と配置の小さな改善です。'}`,
          design_url: `https://figma.example/demo/${offer.id}/${hackerId}`,
          changes: v.flawed ?? v.changes,
        },
        { 'idempotency-key': `demo-proposal-${offer.id}-${hackerId}` },
      );
      if (a.status === 200 || a.status === 201) this.stats.proposals++;
      else if (a.status === 400) this.print(`  proposal of hacker ${hackerId} to offer ${offer.id} refused: ${a.raw.toString('utf8').slice(0, 300)}`);
      if (!v.flawed || (a.status !== 200 && a.status !== 201)) return;
      // The author watches the proposal until CS has looked at it; a returned one is fixed as version n+1.
      const id = a.body.id as number;
      const deadline = Date.parse(offer.deadline);
      while (!this.stopped && Date.now() < deadline) {
        await sleep(700);
        const p = await this.api.call('GET', `/v1/proposals/${id}`, token);
        if (p.status !== 200 || p.body.status !== 'submitted' || p.body.review.status === 'passed') return;
        if (p.body.review.status !== 'returned') continue;
        const r = await this.api.call('POST', `/v1/proposals/${id}/versions`, token, { changes: v.changes }, { 'idempotency-key': `demo-revision-${id}-${p.body.version}` });
        if (r.status === 201) this.stats.revised++;
        else this.print(`  revision of proposal ${id} refused (${r.status}): ${r.raw.toString('utf8').slice(0, 200)}`);
        return;
      }
    });
  }

  /** CS answers the hackers' questions: each answer is published to the offer's audience as the brief's addendum. */
  private async answerQuestions(c: DemoClient, cycleId: number) {
    const offers = (await this.api.ok('GET', `/v1/offers?limit=200`, c.cs.token)).items.filter((o: Json) => o.cycle_id === cycleId);
    for (const o of offers) {
      const qs = await this.api.call('GET', `/v1/offers/${o.id}/questions`, c.cs.token);
      for (const q of qs.status === 200 ? (qs.body.items as Json[]) : []) {
        if (!q.actions.answer.allowed) continue;
        const a = await this.api.call('POST', `/v1/questions/${q.id}/answer`, c.cs.token, { answer: 'はい。PC とスマートフォンの両方に同じ変更を入れてください（768px 未満の表示も確認をお願いします）。' });
        if (a.status !== 200) this.print(`  answer to question ${q.id} refused (${a.status}): ${a.raw.toString('utf8').slice(0, 200)}`);
      }
    }
  }

  /** CS looks at every proposal waiting for review: returns the broken ones with a comment, passes the rest. */
  private async review(c: DemoClient, cycleId: number) {
    const offers = (await this.api.ok('GET', `/v1/offers?limit=200`, c.cs.token)).items.filter((o: Json) => o.cycle_id === cycleId);
    for (const o of offers) {
      const a = await this.api.call('GET', `/v1/offers/${o.id}/proposals?limit=100`, c.cs.token);
      if (a.status !== 200) continue;
      for (const p of (a.body.items as Json[]).filter((x) => x.status === 'submitted' && x.review.status === 'pending')) {
        const comment = reviewComment(p.changes);
        const r = await this.api.call('POST', `/v1/proposals/${p.id}/review`, c.cs.token, comment ? { decision: 'return', comment } : { decision: 'pass' });
        if (r.status === 200 && comment) this.stats.returned++;
        // 409: the window closed before its return; a broken proposal then just never reaches the client.
        else if (r.status !== 200 && r.status !== 409) this.print(`  review of proposal ${p.id} refused (${r.status}): ${r.raw.toString('utf8').slice(0, 200)}`);
      }
    }
  }

  private async select(c: DemoClient, cycleId: number) {
    const offers = (await this.api.ok('GET', `/v1/offers?limit=200`, c.cs.token)).items.filter((o: Json) => o.cycle_id === cycleId);
    const selections: Json[] = [];
    for (const o of offers) {
      let a = await this.api.call('GET', `/v1/offers/${o.id}/proposals?limit=100`, c.user.token);
      if (a.status !== 200) a = await this.api.call('GET', `/v1/offers/${o.id}/proposals?limit=100`, c.cs.token);
      if (a.status !== 200) continue;
      // The client sees only what CS passed; the list says so too.
      const submitted = (a.body.items as Json[]).filter((p) => p.status === 'submitted' && p.review.status === 'passed');
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

  /** The hidden true effect of each earlier test's winner on this test's page (the page's control now). */
  private async shipped(c: DemoClient, page: DemoPage, t: Json): Promise<number[]> {
    const earlier = (await this.api.ok('GET', `/v1/tests?engagement_id=${c.engagementId}&limit=100`, c.cs.token)).items.filter(
      (x: Json) => x.page_id === t.page_id && x.id < t.id && x.outcome === 'winner',
    );
    const effects: number[] = [];
    for (const x of earlier) {
      const d = await this.api.ok('GET', `/v1/tests/${x.id}`, c.cs.token);
      const arm = d.final_verdict?.decision?.arm;
      const v = (d.variants as Json[]).find((y) => y.arm === arm && y.proposal_id !== null);
      if (v) effects.push(this.effect(page, v.proposal_id, await this.authorOf(c, d.offer_id, v.proposal_id)));
    }
    return effects;
  }

  private async authorOf(c: DemoClient, offerId: number, proposalId: number): Promise<number | undefined> {
    const p = await this.api.call('GET', `/v1/offers/${offerId}/proposals?limit=100`, c.cs.token);
    return p.status === 200 ? (p.body.items as Json[]).find((x) => x.id === proposalId)?.hacker_id : undefined;
  }

  /**
   * The client's site: assignments, exposures and conversions at each arm's hidden true rate, until
   * the test stops. The control converts at the page's true rate with the earlier winners' true
   * effects shipped (not at the measured baseline, which a lucky winner inflates), each variant at
   * that times its own effect, both within the page type's plausible range.
   */
  private async site(c: DemoClient, testId: number) {
    const token = c.user.token;
    let t = await this.api.ok('GET', `/v1/tests/${testId}`, c.cs.token);
    const page = demoPageOf(c.pages.find((p) => p.id === t.page_id)?.url ?? c.pages[0]!.url) ?? DEMO_PAGES[0]!;
    const shipped = await this.shipped(c, page, t);
    const base = trueRate(page, shipped, 0);
    const rates: Record<string, number> = {};
    for (const v of t.variants as Json[]) {
      rates[v.arm] = v.proposal_id === null || v.arm === 'control' ? base : trueRate(page, shipped, this.effect(page, v.proposal_id, await this.authorOf(c, t.offer_id, v.proposal_id)));
    }
    // Each visitor's arm as the site's SDK computes it (the client's persistent holdout sees the
    // control, everyone else the test's hash): no request per visitor, as on a real site.
    const holdout = await this.api.call('GET', `/v1/clients/${c.id}/holdout`, c.cs.token);
    const holdoutPercent = holdout.status === 200 ? (holdout.body.holdout_percent as number) : 0;
    const control = (t.variants as Json[]).find((v) => v.position === 0) ?? t.variants[0];
    const armOf = (vid: string): string => (inHoldout(c.id, vid, holdoutPercent) ? control.arm : assignVariant(testId, vid, t.variants as { arm: string; position: number; weight: number }[]).arm);
    // About 12,000 visitors over the test's longest duration (the compressed month's traffic), in batches.
    const perSecond = Math.min(500, Math.max(50, 12_000 / demoSettings(this.state.monthSeconds).test_max_seconds));
    // Resume: the visitors already counted are skipped (their events would be deduplicated anyway).
    let visitor = (t.arms as Json[]).reduce((n, a) => n + (a.n as number), 0);
    const metrics = CLIENTS.find((s) => s.name === c.name)?.metrics;
    if (metrics && visitor === 0) await this.api.call('POST', `/v1/tests/${testId}/metrics`, c.cs.token, { metrics });
    while (!this.stopped && t.status === 'running') {
      const started = Date.now();
      const batch = Array.from({ length: Math.round(perSecond / 2) }, (_, i) => `v${testId}-${visitor + i}`);
      visitor += batch.length;
      const events: Json[] = [];
      for (const vid of batch) {
        events.push({ event_id: `${vid}-x`, visitor_id: vid, type: 'exposure' });
        if (hash01(this.state.seed, 'convert', vid) < (rates[armOf(vid)] ?? base)) events.push({ event_id: `${vid}-c`, visitor_id: vid, type: 'conversion', event: 'order', value: page.value_per_conversion_yen });
      }
      const e = await this.api.call('POST', `/v1/tests/${testId}/events`, token, { events });
      if (e.status >= 400) break;
      this.stats.visitors += batch.length;
      await sleep(Math.max(50, 500 - (Date.now() - started)));
      t = await this.api.ok('GET', `/v1/tests/${testId}`, c.cs.token);
    }
  }
}
