// Simulated people of Kaizen Desk who use only the public HTTP API, each with its own token: an admin
// who sets up users, a CS manager, client users, growth hackers and two finance users. The chaos
// harness drives them through a compressed monthly cycle and payout runs; the demo mode reuses them as
// its load generator. Every call retries through connection errors and 5xx (the stack may be
// restarting) and what the API asks to retry (409, 429 or 503 with Retry-After), and every create
// carries an Idempotency-Key, so a retry never doubles anything.
import { randomBytes } from 'node:crypto';
import { bankResultFile } from './bank-answer.ts';
import { rng } from './random.ts';

export type Json = any;

export interface ApiAnswer {
  status: number;
  body: Json;
  raw: Buffer;
  /** The call was sent again after an answer that may have gone through (a connection error or 5xx). */
  retried: boolean;
}

export interface ApiClientOptions {
  baseUrl: () => string;
  /** Give up retrying after this long (default 300 s: a whole-stack restart takes a while). */
  retryForMs?: number;
  /** The longest wait between two attempts, whatever Retry-After asks (default 30 s). */
  maxWaitMs?: number;
  onRetry?: (what: string, err: string) => void;
}

export class ApiClient {
  /** Every response status seen, for the report. */
  readonly statusCounts = new Map<number, number>();
  /** Attempts sent again: through a kill (connection error, 5xx) or because the API said "retry". */
  retries = 0;
  /** Of those, the ones the API asked for (409 / 429 / 503 with Retry-After). */
  retriesAsked = 0;
  constructor(private readonly opts: ApiClientOptions) {}

  async call(method: string, url: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const deadline = Date.now() + (this.opts.retryForMs ?? 300_000);
    let retried = false;
    for (let attempt = 1; ; attempt++) {
      let why: string;
      let status: number | undefined;
      let asked: number | undefined;
      try {
        const res = await fetch(this.opts.baseUrl() + url, {
          method,
          // A Buffer goes as the file's bytes (a bank's result file), anything else as JSON.
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
        const raw = Buffer.from(await res.arrayBuffer());
        this.statusCounts.set(res.status, (this.statusCounts.get(res.status) ?? 0) + 1);
        status = res.status;
        asked = RETRY_ASKED.has(res.status) ? retryAfterMs(res.headers.get('retry-after')) : undefined;
        if (res.status < 500 && asked === undefined) {
          let parsed: Json = undefined;
          if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(raw.toString('utf8'));
          return { status: res.status, body: parsed, raw, retried };
        }
        why = `${res.status} ${raw.toString('utf8').slice(0, 200)}`;
      } catch (err) {
        why = String((err as Error).cause ?? err);
      }
      if (Date.now() > deadline) throw new Error(`${method} ${url}: still failing after ${attempt} attempts: ${why}`);
      // A 409 or 429 the API asked to retry was refused, not half-done; a connection error or 5xx may not be.
      if (asked === undefined || status === undefined || status >= 500) retried = true;
      this.retries++;
      if (asked !== undefined) this.retriesAsked++;
      this.opts.onRetry?.(`${method} ${url}`, why);
      // Bounded backoff, never sooner than the API asked.
      await sleep(Math.min(this.opts.maxWaitMs ?? 30_000, Math.max(asked ?? 0, Math.min(2_000, 200 * attempt))));
    }
  }

  /** A call that must answer one of `ok` (default 200/201). */
  async ok(method: string, url: string, token: string, body?: unknown, headers?: Record<string, string>, ok = [200, 201]): Promise<Json> {
    const a = await this.call(method, url, token, body, headers);
    if (!ok.includes(a.status)) throw new Error(`${method} ${url} → ${a.status}: ${a.raw.toString('utf8').slice(0, 500)}`);
    return a.body;
  }
}

/** Statuses the API marks as "retry in a moment" with a Retry-After header (a 409 without it is final). */
const RETRY_ASKED = new Set([409, 429, 503]);

/** Retry-After (delta-seconds or an HTTP date) in ms; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn returns a truthy value. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 180_000, stepMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

export { rng };

export interface Person {
  id: number;
  token: string;
  tokenId?: number;
}
export interface HackerActor extends Person {
  hackerId: number;
  bank: { bank_code: string; branch_code: string; account_type: string; account_number: string; holder_name: string };
}

/** What the simulation handed out that must stay secret: tokens, account numbers, holder names. */
export interface SimSecrets {
  tokens: string[];
  accountNumbers: string[];
  holderNames: string[];
}

export interface CycleSettings {
  planning_seconds: number;
  offer_window_seconds: number;
  selection_seconds: number;
  test_max_seconds: number;
  interim_check_seconds: number;
  learning_seconds: number;
  min_proposals: number;
  adoption_fee_yen: number;
  win_bonus_yen: number;
  mde_relative: number;
}

export const COMPRESSED_CYCLE: CycleSettings = {
  planning_seconds: 900,
  offer_window_seconds: 15,
  selection_seconds: 900,
  test_max_seconds: 240,
  interim_check_seconds: 2,
  learning_seconds: 15,
  min_proposals: 1,
  adoption_fee_yen: 150_000,
  win_bonus_yen: 100_000,
  mde_relative: 0.3,
};

/** One proposal submission as the hacker saw it. */
export interface ProposalRecord {
  key: string;
  offerId: number;
  hackerId: number;
  answers: { status: number; id: number; retried: boolean; replay: boolean }[];
}

export interface EngagementRun {
  engagementId: number;
  clientId: number;
  cycleId: number;
  offers: number[];
  tests: number[];
  winnerTestId?: number;
  phases: string[];
  done: boolean;
}

const letters = (n: number, r: () => number) => Array.from({ length: n }, () => String.fromCharCode(65 + Math.floor(r() * 26))).join('');

/** The simulated world: who exists and what they did. */
export class World {
  readonly secrets: SimSecrets = { tokens: [], accountNumbers: [], holderNames: [] };
  readonly proposals: ProposalRecord[] = [];
  readonly engagements: EngagementRun[] = [];
  readonly log: string[] = [];
  cs!: Person;
  financeA!: Person;
  financeB!: Person;
  hackers: HackerActor[] = [];
  clientUsers = new Map<number, Person>();
  private readonly rand: () => number;
  private readonly runTag = randomBytes(3).toString('hex');

  constructor(
    readonly api: ApiClient,
    readonly admin: Person,
    readonly opts: { seed: number; settings?: Partial<CycleSettings>; hackers?: number; visitorsPerArm?: number; /** How long a new engagement may take to start its cycle (a loaded worker starts them late). */ startWaitMs?: number } = { seed: 1 },
  ) {
    this.rand = rng(opts.seed);
    this.secrets.tokens.push(admin.token);
  }

  get settings(): CycleSettings {
    return { ...COMPRESSED_CYCLE, ...this.opts.settings };
  }

  note(msg: string) {
    this.log.push(`${new Date().toISOString()} ${msg}`);
  }

  private async user(name: string, role: string, bind: Record<string, number> = {}): Promise<Person> {
    const u = await this.api.ok('POST', '/v1/users', this.admin.token, { name, role, ...bind });
    this.secrets.tokens.push(u.token);
    return { id: u.id, token: u.token };
  }

  /** Admin creates the staff, the growth hackers (with users) and finance records their bank accounts. */
  async setUp(): Promise<void> {
    this.cs = await this.user('Chaos CS', 'cs_manager');
    this.financeA = await this.user('Chaos Finance A', 'finance');
    this.financeB = await this.user('Chaos Finance B', 'finance');
    const n = this.opts.hackers ?? 4;
    for (let i = 0; i < n; i++) {
      const h = await this.api.ok('POST', '/v1/hackers', this.cs.token, {
        display_name: `Growth hacker ${i + 1}`,
        kind: 'individual',
        residency: 'resident',
        skills: ['design'],
        industries: ['ecommerce'],
      });
      const person = await this.user(`Hacker user ${i + 1}`, 'hacker', { hacker_id: h.id });
      const bank = {
        bank_code: '0001',
        branch_code: '001',
        account_type: '1',
        account_number: String(1_000_000 + Math.floor(this.rand() * 8_999_999)),
        holder_name: `KZ${letters(6, this.rand)} ${letters(5, this.rand)}`,
      };
      this.secrets.accountNumbers.push(bank.account_number);
      this.secrets.holderNames.push(bank.holder_name);
      await this.api.ok('PUT', `/v1/hackers/${h.id}/payee`, this.financeA.token, { bank });
      this.hackers.push({ ...person, hackerId: h.id, bank });
    }
  }

  /** CS starts an engagement for a new client (two pages) and the client's user. */
  async startEngagement(i: number): Promise<EngagementRun> {
    const client = await this.api.ok('POST', '/v1/clients', this.cs.token, { name: `Chaos Shop ${i + 1}`, industry: 'ecommerce' });
    const clientUser = await this.user(`Shop owner ${i + 1}`, 'client', { client_id: client.id });
    this.clientUsers.set(client.id, clientUser);
    const e = await this.api.ok(
      'POST',
      '/v1/engagements',
      this.cs.token,
      {
        client_id: client.id,
        cs_manager_id: this.cs.id,
        offer_mode: 'open',
        monthly_fee_yen: 900_000,
        month_length_seconds: 3600,
        settings: this.settings,
        pages: [
          { url: 'https://shop.example/checkout', page_type: 'checkout', baseline_rate: 0.1, daily_visitors: 5000, value_per_conversion_yen: 8000 },
          { url: 'https://shop.example/lp', page_type: 'landing', baseline_rate: 0.1, daily_visitors: 8000, value_per_conversion_yen: 5000 },
        ],
      },
      { 'idempotency-key': `engagement-${this.runTag}-${i}` },
    );
    const timeline = await until(`engagement ${e.id}'s cycle`, async () => {
      const t = await this.api.ok('GET', `/v1/engagements/${e.id}/timeline`, this.cs.token);
      return t.cycles?.[0];
    }, this.opts.startWaitMs ?? 180_000, 1000);
    const run: EngagementRun = { engagementId: e.id, clientId: client.id, cycleId: timeline.id, offers: [], tests: [], phases: [], done: false };
    this.engagements.push(run);
    return run;
  }

  async phase(run: EngagementRun): Promise<string> {
    const c = await this.api.ok('GET', `/v1/cycles/${run.cycleId}`, this.cs.token);
    if (run.phases[run.phases.length - 1] !== c.phase) run.phases.push(c.phase);
    return c.phase;
  }

  private async waitPhase(run: EngagementRun, phases: string[], timeoutMs = 300_000) {
    return until(`cycle ${run.cycleId} in ${phases.join('/')}`, async () => phases.includes(await this.phase(run)) && true, timeoutMs);
  }

  /** A hacker proposes (with an Idempotency-Key); `replay` sends the same request again. */
  async propose(hacker: HackerActor, offerId: number, title: string, replay: boolean): Promise<number | undefined> {
    const key = `proposal-${this.runTag}-${offerId}-${hacker.hackerId}`;
    const rec: ProposalRecord = { key, offerId, hackerId: hacker.hackerId, answers: [] };
    this.proposals.push(rec);
    const body = { title, description: `${title}: details`, design_url: 'https://figma.example/file' };
    for (let n = 0; n < (replay ? 2 : 1); n++) {
      const a = await this.api.call('POST', `/v1/offers/${offerId}/proposals`, hacker.token, body, { 'idempotency-key': key });
      if (a.status === 200 || a.status === 201) rec.answers.push({ status: a.status, id: a.body.id, retried: a.retried, replay: n > 0 });
      else {
        this.note(`proposal to offer ${offerId} by hacker ${hacker.hackerId}: ${a.status} ${a.raw.toString('utf8').slice(0, 200)}`);
        return undefined;
      }
    }
    return rec.answers[0]?.id;
  }

  /** The client site: assignments, then exposures and conversions at the given rate per arm. */
  async sendTraffic(testId: number, token: string, perArm: number, rates: Record<string, number>, tag: string) {
    const counts: Record<string, number> = {};
    const events: object[] = [];
    const arms = Object.keys(rates).length;
    let v = 0;
    const next = async () => {
      for (;;) {
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        if (total >= perArm * arms || v > perArm * arms * 4) return;
        const visitor = `${tag}-${v++}`;
        const a = await this.api.ok('GET', `/v1/tests/${testId}/assignment?visitor=${visitor}`, token);
        if ((counts[a.arm] ?? 0) >= perArm || rates[a.arm] === undefined) continue;
        counts[a.arm] = (counts[a.arm] ?? 0) + 1;
        events.push({ event_id: `${visitor}-x`, visitor_id: visitor, type: 'exposure' });
        if (counts[a.arm]! <= Math.round(perArm * rates[a.arm]!)) events.push({ event_id: `${visitor}-c`, visitor_id: visitor, type: 'conversion', value: 8000 });
      }
    };
    await Promise.all(Array.from({ length: 6 }, next));
    // Events are deduplicated by event_id: resending a batch after a failure is safe.
    for (let i = 0; i < events.length; i += 500) {
      const r = await this.api.call('POST', `/v1/tests/${testId}/events`, token, { events: events.slice(i, i + 500) });
      // The test ended while its traffic was still arriving (its maximum duration, on a loaded stack):
      // a real site's late events are refused the same way; the cycle goes on without them.
      if (r.status === 409 && /not running/.test(r.raw.toString('utf8'))) break;
      if (r.status !== 200 && r.status !== 201) throw new Error(`POST /v1/tests/${testId}/events → ${r.status}: ${r.raw}`);
    }
    return counts;
  }

  /**
   * A decision sent again after a kill may have gone through the first time: the API then refuses the
   * repeat (409 for a plan; 400 "is selected, not submitted" for a selection, even with the same
   * Idempotency-Key). Such a refusal passes only after a retry; the wait that follows (for the plan's
   * offers, the selection's tests) confirms the first attempt.
   */
  private decided(what: string, a: ApiAnswer) {
    if (a.status === 200 || a.status === 201) return;
    if (!a.retried || a.status < 400 || a.status >= 500) throw new Error(`${what} → ${a.status}: ${a.raw}`);
    this.note(`${what}: ${a.status} after a retry (the first attempt went through): ${a.raw.toString('utf8').slice(0, 200)}`);
  }

  /**
   * One engagement's month: the client plans two hypotheses, two hackers propose to each offer (one
   * replayed on purpose), the client selects one per offer, the site sends traffic (a clear winner on
   * the checkout, nothing on the landing page, which CS stops), CS records a learning; until completed.
   */
  async runCycle(run: EngagementRun): Promise<void> {
    const clientUser = this.clientUsers.get(run.clientId)!;
    const pages = (await this.api.ok('GET', `/v1/engagements/${run.engagementId}/pages`, this.cs.token)).items;
    await this.waitPhase(run, ['planning']);
    const plan = await this.api.call('POST', `/v1/cycles/${run.cycleId}/plan`, clientUser.token, {
      hypotheses: [
        { author: 'client', problem: 'Checkout form asks for too much', page_id: pages[0].id, metric: 'conversion', offer_kind: 'open' },
        { author: 'client', problem: 'Landing hero does not say what we sell', page_id: pages[1].id, metric: 'conversion', offer_kind: 'open' },
      ],
    }, { 'idempotency-key': `plan-${this.runTag}-${run.cycleId}` });
    this.decided(`plan of cycle ${run.cycleId}`, plan);
    const offers = await until(`offers of cycle ${run.cycleId}`, async () => {
      const list = (await this.api.ok('GET', '/v1/offers?limit=200', this.cs.token)).items.filter((o: Json) => o.cycle_id === run.cycleId);
      return list.length === 2 ? list : undefined;
    });
    offers.sort((a: Json, b: Json) => a.id - b.id);
    run.offers = offers.map((o: Json) => o.id);
    const picks: number[] = [];
    for (const [k, offer] of offers.entries()) {
      const pair = [this.hackers[(run.engagementId + 2 * k) % this.hackers.length]!, this.hackers[(run.engagementId + 2 * k + 1) % this.hackers.length]!];
      const ids: number[] = [];
      for (const [j, h] of pair.entries()) {
        const id = await this.propose(h, offer.id, `Idea ${k + 1}.${j + 1} for engagement ${run.engagementId}`, j === 0);
        if (id) ids.push(id);
      }
      if (ids.length) picks.push(ids[0]!);
      if (k === 0 && run === this.engagements[0] && ids.length) this.reversalHackerId = pair[0]!.hackerId;
    }
    await this.waitPhase(run, ['selection']);
    const selections = offers.map((o: Json, k: number) => ({ offer_id: o.id, proposal_ids: [picks[k]!] })).filter((s: Json) => s.proposal_ids[0]);
    // CS passes what the client will select (issue 23: the client sees and selects only passed proposals; passing again changes nothing).
    for (const id of selections.flatMap((s: Json) => s.proposal_ids as number[])) {
      this.decided(`review of proposal ${id}`, await this.api.call('POST', `/v1/proposals/${id}/review`, this.cs.token, { decision: 'pass' }));
    }
    const sel = await this.api.call('POST', `/v1/cycles/${run.cycleId}/selection`, clientUser.token, { selections }, { 'idempotency-key': `selection-${this.runTag}-${run.cycleId}` });
    this.decided(`selection of cycle ${run.cycleId}`, sel);
    const tests = await until(`tests of cycle ${run.cycleId}`, async () => {
      const list = (await this.api.ok('GET', `/v1/tests?engagement_id=${run.engagementId}&limit=100`, this.cs.token)).items.filter((t: Json) => t.cycle_id === run.cycleId);
      return list.length === selections.length ? list : undefined;
    });
    tests.sort((a: Json, b: Json) => a.offer_id - b.offer_id);
    run.tests = tests.map((t: Json) => t.id);
    const perArm = this.opts.visitorsPerArm ?? 900;
    const [win, flat] = tests;
    run.winnerTestId = win.id;
    await this.sendTraffic(win.id, clientUser.token, perArm, { control: 0.08, A: 0.2 }, `w${run.engagementId}`);
    if (flat) {
      await this.sendTraffic(flat.id, clientUser.token, Math.round(perArm / 3), { control: 0.1, A: 0.1 }, `f${run.engagementId}`);
      await until(`test ${win.id} decided`, async () => (await this.api.ok('GET', `/v1/tests/${win.id}`, this.cs.token)).status !== 'running');
      const stop = await this.api.call('POST', `/v1/tests/${flat.id}/stop`, this.cs.token, { reason: 'no traffic to spare this month' });
      if (stop.status !== 200 && stop.status !== 409) throw new Error(`stop → ${stop.status}: ${stop.raw}`);
    }
    await this.waitPhase(run, ['knowledge_capture', 'earnings', 'report', 'completed']);
    if ((await this.phase(run)) === 'knowledge_capture') {
      const l = await this.api.call('POST', `/v1/tests/${win.id}/learnings`, this.cs.token, { learnings: 'Fewer fields beat reassurance badges', tags: ['forms'] });
      if (l.status !== 200 && l.status !== 201 && l.status !== 409) throw new Error(`learnings → ${l.status}: ${l.raw}`);
    }
    await this.waitPhase(run, ['completed', 'failed', 'abandoned']);
    run.done = true;
    this.note(`cycle ${run.cycleId} ${await this.phase(run)}`);
  }

  /**
   * One payout run with four eyes: `preparer` opens it, holds the first item if asked, `approver`
   * approves; once the transfers are handed to the bank the preparer imports the bank's result file
   * (nothing is paid before), then records the withholding remittance. Returns the run id.
   */
  async payoutRun(month: string, preparer: Person, approver: Person, hold: boolean): Promise<{ runId: number; heldHackerId?: number }> {
    const opened = await this.api.ok('POST', '/v1/payout-runs', preparer.token, { month }, { 'idempotency-key': `run-${this.runTag}-${month}` });
    const runId = opened.id as number;
    const runOf = () => this.api.ok('GET', `/v1/payout-runs/${runId}`, preparer.token);
    const review = await until(`payout run ${runId} in review`, async () => {
      const r = await runOf();
      if (['blocked', 'rejected'].includes(r.status)) throw new Error(`payout run ${runId} is ${r.status}: ${r.waiting_for ?? ''}`);
      return r.status === 'review' ? r : undefined;
    });
    void review;
    let heldHackerId: number | undefined;
    if (hold) {
      const items = (await this.api.ok('GET', `/v1/payout-runs/${runId}/items?limit=200`, preparer.token)).items;
      // Not the hacker whose bonus is reversed later: that one's balance is carried instead.
      const target = items.find((i: Json) => i.hacker_id !== this.reversalHackerId) ?? items[0];
      if (target) {
        await this.api.ok('POST', `/v1/payout-runs/${runId}/items/${target.id}/hold`, preparer.token, { reason: 'invoice not yet received' }, { 'idempotency-key': `hold-${runId}` });
        heldHackerId = target.hacker_id;
      }
    }
    await this.api.ok('POST', `/v1/payout-runs/${runId}/approve`, approver.token, undefined, { 'idempotency-key': `approve-${runId}` });
    await this.confirmTransfers(runId, preparer);
    const paid = await until(`payout run ${runId} paid`, async () => {
      const r = await runOf();
      return ['remitting', 'completed', 'blocked'].includes(r.status) ? r : undefined;
    });
    if (paid.status === 'remitting') {
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
      await this.api.ok('POST', `/v1/payout-runs/${runId}/remittance`, preparer.token, { remitted_on: today }, { 'idempotency-key': `remit-${runId}` });
      await until(`payout run ${runId} completed`, async () => (await runOf()).status === 'completed');
    }
    this.note(`payout run ${runId} (${month}) completed`);
    return { runId, heldHackerId };
  }

  /**
   * The bank's answer once the run has handed every transfer over: finance downloads the run's latest
   * 全銀 file and imports the bank's result file (every transfer done); an adapter that writes no file
   * (the simulated bank) leaves finance to mark each transfer by hand. Safe to repeat through kills: the
   * same file, or the same Idempotency-Key, changes nothing the second time.
   */
  async confirmTransfers(runId: number, finance: Person): Promise<void> {
    const run = await until(`payout run ${runId} handed to the bank`, async () => {
      const r = await this.api.ok('GET', `/v1/payout-runs/${runId}`, finance.token);
      if (['remitting', 'completed', 'blocked'].includes(r.status)) return r;
      return ['paying', 'needs_attention'].includes(r.status) && r.totals.pending === 0 ? r : undefined;
    });
    if (run.totals.handed_to_bank === 0) return;
    if (run.totals.zengin_files > 0) {
      const file = await this.api.call('GET', `/v1/payout-runs/${runId}/zengin?file=${run.totals.zengin_files}`, finance.token);
      if (file.status !== 200) throw new Error(`GET zengin of payout run ${runId} → ${file.status}: ${file.raw.toString('utf8').slice(0, 300)}`);
      await this.api.ok('POST', `/v1/payout-runs/${runId}/bank-results`, finance.token, bankResultFile(file.raw));
      return;
    }
    const items = (await this.api.ok('GET', `/v1/payout-runs/${runId}/items?status=handed_to_bank&limit=200`, finance.token)).items as Json[];
    for (const i of items) {
      await this.api.ok('POST', `/v1/payout-runs/${runId}/items/${i.id}/result`, finance.token, { outcome: 'confirmed' }, { 'idempotency-key': `confirm-${runId}-${i.id}-${i.attempt}` });
    }
  }

  /** The hacker of the first engagement's winning proposal (its bonus is reversed between the runs). */
  reversalHackerId?: number;

  /** CS invalidates the first engagement's winning test: a bonus_reversal line. */
  async invalidateWinner(): Promise<number | undefined> {
    const run = this.engagements[0];
    if (!run?.winnerTestId) return undefined;
    const a = await this.api.call('POST', `/v1/tests/${run.winnerTestId}/invalidate`, this.cs.token, { reason: 'tracking tag fired twice on variant A' });
    if (a.status !== 200 && a.status !== 201 && a.status !== 409) throw new Error(`invalidate → ${a.status}: ${a.raw}`);
    return run.winnerTestId;
  }
}
