// The network and the memory through the API, on real Postgres and Temporal: explained targeting,
// capacity, team swaps across a month boundary, retainers written once, Japanese knowledge search with
// role views, and the persistent holdout.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { accrueEarnings } from '../../src/cycles/earnings.ts';
import { searchKnowledge, type KnowledgeQuery, type SearchOptions } from '../../src/cycles/knowledge.ts';
import { knowledgeSearchFields } from '../../src/domain/cycles/knowledge-search.ts';
import { holdoutGroupsFromEvents } from '../../src/cycles/impact.ts';
import { inHoldout } from '../../src/domain/holdout.ts';
import { accrueManagedRetainers } from '../../src/network/managed.ts';
import { networkMonthWorkflow } from '../../src/workflows/network-month.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let d: ReturnType<typeof cycleDriver>;
const ended: { id: number }[] = [];
beforeAll(async () => {
  h = await createHarness();
  cs = await userWithToken(h.db, 'cs_manager');
  d = cycleDriver(h, cs);
});
afterAll(async () => {
  for (const e of ended) await d.call('POST', `/v1/engagements/${e.id}/end`, cs.auth, { mode: 'immediately', reason: 'test over' });
  await h.close();
});

const uniq = () => randomUUID().slice(0, 8);

describe('targeting and capacity', () => {
  it('invites exactly the top N eligible with scores that add up; a hacker at 100% is refused (409) and left out', async () => {
    const skill = `s${uniq()}`;
    const full = await d.hacker([skill]);
    const eligible = [await d.hacker([skill]), await d.hacker([skill]), await d.hacker([skill]), await d.hacker([skill]), await d.hacker([skill])];
    const a = await d.startEngagement({ planning_seconds: 60, offer_window_seconds: 30, min_proposals: 1, targeted_top_n: 3 });
    const b = await d.startEngagement({ planning_seconds: 60 });
    const c = await d.startEngagement({ planning_seconds: 60 });
    ended.push(a.e, b.e, c.e);
    // 50% (the default cap) in two teams: the hacker is at 100%.
    await d.api('PUT', `/v1/engagements/${b.e.id}/team`, cs.auth, { members: [{ hacker_id: full.id, share_percent: 50 }] });
    await d.api('PUT', `/v1/engagements/${c.e.id}/team`, cs.auth, { members: [{ hacker_id: full.id, share_percent: 50 }] });
    const above = await d.call('PUT', `/v1/engagements/${a.e.id}/team`, cs.auth, { members: [{ hacker_id: eligible[0]!.id, share_percent: 60 }] });
    expect(above.status).toBe(409);
    expect(above.body.error.message).toMatch(new RegExp(`hacker ${eligible[0]!.id}.*cap of 50%`));
    const refused = await d.call('PUT', `/v1/engagements/${a.e.id}/team`, cs.auth, { hacker_ids: [full.id] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(new RegExp(`hacker ${full.id} already gives 100% to other teams`));

    await d.api('POST', `/v1/cycles/${a.cycleId}/plan`, cs.auth, {
      hypotheses: [{ author: 'cs', problem: 'Form page loses finance leads', page_id: a.pages[0].id, metric: 'conversion', skills: [skill], offer_kind: 'targeted' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', a.cycleId).executeTakeFirst()) ?? undefined);
    const inv = await d.api('GET', `/v1/offers/${offer.id}/invitations`, cs.auth);
    // All newcomers score the same: ties break on id, so the three lowest eligible ids, in order.
    expect(inv.invited.map((i: { hacker_id: number }) => i.hacker_id)).toEqual(eligible.slice(0, 3).map((x) => x.id));
    expect(inv.invited.map((i: { rank: number }) => i.rank)).toEqual([1, 2, 3]);
    for (const i of inv.invited) {
      const sum = Object.values(i.parts as Record<string, { points: number }>).reduce((s, p) => s + p.points, 0);
      expect(sum).toBeCloseTo(i.score, 9);
    }
    const why = Object.fromEntries(inv.left_out.map((l: { hacker_id: number; reason: string }) => [l.hacker_id, l.reason]));
    expect(why[full.id]).toBe('at_capacity');
    expect(why[eligible[3]!.id]).toBe('below_cut');
    expect(why[eligible[4]!.id]).toBe('below_cut');
    expect((await d.call('GET', `/v1/offers/${offer.id}`, full.auth)).status).toBe(404);
    expect((await d.call('GET', `/v1/offers/${offer.id}/invitations`, a.clientUser.auth)).status).toBe(403);
  });
});

describe('growth team review', () => {
  it('a swap accepted by CS changes who sees the next month’s team offer; team retainers accrue once per member', async () => {
    const keep = await d.hacker(['design']);
    const weak = await d.hacker(['design']);
    const client = await makeClient(h.db, `Team ${uniq()}`, 'finance');
    const e = await d.api('POST', '/v1/engagements', cs.auth, {
      client_id: client.id,
      offer_mode: 'team',
      monthly_fee_yen: 900_000,
      month_length_seconds: 6,
      settings: { planning_seconds: 60, offer_window_seconds: 30, min_proposals: 1, team_retainer_yen: 200_000 },
      pages: [{ url: `https://team-${uniq()}.example/form`, page_type: 'form', baseline_rate: 0.1, daily_visitors: 5000, value_per_conversion_yen: 8000 }],
    });
    ended.push(e);
    await d.api('PUT', `/v1/engagements/${e.id}/team`, cs.auth, { hacker_ids: [keep.id, weak.id] });
    const team = await d.api('GET', `/v1/engagements/${e.id}/team`, cs.auth);
    expect(team.members.map((m: { share_percent: number }) => m.share_percent)).toEqual([10, 10]);

    // At the month boundary the review suggests replacing the weakest (ties: the higher id).
    const review = await eventually(async () => (await d.api('GET', `/v1/engagements/${e.id}/team`, cs.auth)).review, 30_000);
    expect(review.month).toBe(e.start_month);
    expect(review.members).toHaveLength(2);
    const suggestion = review.suggestions[0];
    expect(suggestion).toMatchObject({ out_hacker_id: weak.id, status: 'pending', share_percent: 10 });
    const bad = await d.call('POST', `/v1/engagements/${e.id}/team/suggestions/${suggestion.id}/decision`, cs.auth, { decision: 'accept', reason: '' });
    expect(bad.status).toBe(400);
    const decided = await d.api('POST', `/v1/engagements/${e.id}/team/suggestions/${suggestion.id}/decision`, cs.auth, { decision: 'accept', reason: 'no proposals this month' });
    expect(decided).toMatchObject({ status: 'accepted', decided_by: cs.user.id, decision_reason: 'no proposals this month' });
    const again = await d.call('POST', `/v1/engagements/${e.id}/team/suggestions/${suggestion.id}/decision`, cs.auth, { decision: 'dismiss', reason: 'changed my mind' });
    expect(again.status).toBe(409);
    const newcomer = await userWithToken(h.db, 'hacker', { hackerId: suggestion.in_hacker_id });

    // The next month's cycle: a team offer reaches the new member, not the old one.
    const month2 = await eventually(async () => {
      const cycles = (await d.api('GET', `/v1/engagements/${e.id}/timeline`, cs.auth)).cycles as { id: number; month: string; phase: string }[];
      return cycles.find((c) => c.month > e.start_month && c.phase === 'planning');
    }, 30_000);
    const pages = (await d.api('GET', `/v1/engagements/${e.id}/pages`, cs.auth)).items;
    await d.api('POST', `/v1/cycles/${month2.id}/plan`, cs.auth, { hypotheses: [{ author: 'cs', problem: 'フォームの入力項目が多すぎる', page_id: pages[0].id, metric: 'conversion', offer_kind: 'team' }] });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', month2.id).executeTakeFirst()) ?? undefined);
    expect(offer.kind).toBe('team');
    const invited = (await h.db.selectFrom('offer_invitations').select('hacker_id').where('offer_id', '=', offer.id).execute()).map((r) => r.hacker_id).sort((x, y) => x - y);
    expect(invited).toEqual([keep.id, suggestion.in_hacker_id].sort((x, y) => x - y));
    expect((await d.call('GET', `/v1/offers/${offer.id}`, weak.auth)).status).toBe(404);
    expect((await d.call('GET', `/v1/offers/${offer.id}`, newcomer.auth)).status).toBe(200);

    // Team retainers: once per member and month, however often the accrual runs.
    await accrueEarnings(h.db, { cycleId: month2.id });
    await accrueEarnings(h.db, { cycleId: month2.id });
    const lines = await h.db.selectFrom('earnings_ledger').select(['hacker_id', 'amount_yen']).where('cycle_id', '=', month2.id).where('kind', '=', 'team_retainer').execute();
    expect(lines.map((l) => l.hacker_id).sort((x, y) => x - y)).toEqual(invited);
    expect(lines.every((l) => l.amount_yen === 20_000)).toBe(true);
  });
});

describe('managed growth hackers and grades', () => {
  it('the retainer accrues once per contract and month through the monthly workflow (rerun, retried), and stops at the end', async () => {
    const m = await d.hacker(['copywriting']);
    const contract = await d.api('POST', `/v1/hackers/${m.id}/managed-contracts`, cs.auth, { monthly_retainer_yen: 300_000, start_month: '2098-01' });
    expect((await d.call('POST', `/v1/hackers/${m.id}/managed-contracts`, cs.auth, { monthly_retainer_yen: 1, start_month: '2098-03' })).status).toBe(409);
    await d.api('POST', `/v1/managed-contracts/${contract.id}/end`, cs.auth, { end_month: '2098-02' });
    for (const month of ['2098-01', '2098-01', '2098-02', '2098-03']) {
      await h.temporal.workflow.execute(networkMonthWorkflow, { taskQueue: h.config.taskQueue, workflowId: `network-month-${month}-${uniq()}`, args: [{ month }] });
    }
    await accrueManagedRetainers(h.db, { month: '2098-02' }); // a retried activity
    const lines = await h.db.selectFrom('earnings_ledger').select(['month', 'amount_yen', 'engagement_id', 'kind']).where('hacker_id', '=', m.id).orderBy('month').execute();
    expect(lines).toEqual([
      { month: '2098-01', amount_yen: 300_000, engagement_id: null, kind: 'managed_retainer' },
      { month: '2098-02', amount_yen: 300_000, engagement_id: null, kind: 'managed_retainer' },
    ]);
    const grades = await h.db.selectFrom('hacker_grades').selectAll().where('hacker_id', '=', m.id).orderBy('month').execute();
    expect(grades.map((g) => [g.month, g.grade])).toEqual([['2098-01', 'none'], ['2098-02', 'none'], ['2098-03', 'none']]);
    const record = await d.api('GET', `/v1/hackers/${m.id}/track-record`, m.auth);
    expect(record).toMatchObject({ hacker_id: m.id, grade: 'none', grade_month: '2098-03', overall: { proposals: 0, shrunk_win_rate: 0.25 } });
    expect(await d.api('GET', `/v1/hackers/${m.id}`, m.auth)).toMatchObject({ id: m.id, grade: 'none', grade_month: '2098-03' });
    const other = await d.hacker(['x']);
    // Another hacker's record is not theirs to know exists (404, as the profile pages).
    expect((await d.call('GET', `/v1/hackers/${m.id}/track-record`, other.auth)).status).toBe(404);
  });
});

describe('knowledge base', () => {
  it('finds Japanese substrings (1–2 characters too), tags and English case-insensitively; clients see their own, hackers an anonymised view', async () => {
    const industry = `fin${uniq()}`;
    const a = await d.startEngagement({ planning_seconds: 60 }, industry);
    const b = await d.startEngagement({ planning_seconds: 60 }, industry);
    ended.push(a.e, b.e);
    await h.db.updateTable('clients').set({ name: 'Sakura Bank' }).where('id', '=', b.client.id).execute();
    const entry = async (x: typeof a, hypothesis: string, extra: { change?: string; learnings?: string; tags?: string[]; outcome?: string; lift?: number } = {}) => {
      const e = { hypothesis, change: extra.change ?? 'A: variant', learnings: extra.learnings ?? null, tags: extra.tags ?? ['form'], page_type: 'form', outcome: extra.outcome ?? 'winner', industry, month: '2026-04' };
      const row = await h.db
        .insertInto('knowledge_entries')
        .values({ ...e, ...knowledgeSearchFields(e), test_id: null, client_id: x.client.id, engagement_id: x.e.id, page_id: x.pages[0].id, lift: extra.lift ?? 0.05, ci_low: 0.01, ci_high: 0.09, status: 'final' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    };
    const form = await entry(a, '申込フォームの入力項目を減らすと完了率が上がる', { tags: ['mobile-first'] });
    const button = await entry(a, '申込ボタンの色を変更', { learnings: 'Free Shipping banner above the button helped' });
    const churn = await entry(a, '解約フローの確認画面を短くしたら解約率が下がった', { outcome: 'loser', lift: -0.02 });
    const other = await entry(b, 'Sakura Bankの申込ボタンを https://sakura-bank.example.jp/apply で大きくした', { learnings: '申込ボタン big' });
    const inBody = await entry(a, 'ヒーロー画像', { change: 'A: 申込ボタンを追加' });

    const search = async (auth: { authorization: string }, query: string) => d.api('GET', `/v1/knowledge?industry=${industry}&${query}`, auth);
    const ids = (r: { items: { id: number }[] }) => r.items.map((i) => i.id);
    expect(ids(await search(cs.auth, `q=${encodeURIComponent('申込フォーム')}`))).toEqual([form]);
    // Relevance: hypothesis matches first (newest first), then the entry that has it only in its change.
    expect(ids(await search(cs.auth, `q=${encodeURIComponent('ボタン')}`))).toEqual([other, button, inBody]);
    expect(ids(await search(cs.auth, `q=${encodeURIComponent('解約')}`))).toEqual([churn]);
    expect(ids(await search(cs.auth, `q=${encodeURIComponent('申込')}`))).toEqual([other, button, form, inBody]);
    expect(ids(await search(cs.auth, `q=${encodeURIComponent('解')}`))).toEqual([churn]);
    expect(ids(await search(cs.auth, `q=${encodeURIComponent('存在しない')}`))).toEqual([]);
    expect(ids(await search(cs.auth, 'q=MOBILE-FIRST'))).toEqual([form]);
    expect(ids(await search(cs.auth, 'tags=mobile-first'))).toEqual([form]);
    expect(ids(await search(cs.auth, `q=${encodeURIComponent('free SHIPPING')}`))).toEqual([button]);
    expect(ids(await search(cs.auth, 'q=shipping'))).toEqual([button]);
    expect(ids(await search(cs.auth, 'outcome=loser&lift_max=0'))).toEqual([churn]);
    // Cursor paging over the relevance order.
    const p1 = await search(cs.auth, `q=${encodeURIComponent('ボタン')}&limit=2`);
    expect(ids(p1)).toEqual([other, button]);
    expect(ids(await search(cs.auth, `q=${encodeURIComponent('ボタン')}&limit=2&cursor=${p1.next_cursor}`))).toEqual([inBody]);

    // A client user never sees another client's entry.
    const mine = await search(a.clientUser.auth, `q=${encodeURIComponent('ボタン')}`);
    expect(ids(mine)).toEqual([button, inBody]);
    expect(ids(await search(a.clientUser.auth, `client_id=${b.client.id}`))).not.toContain(other);
    // A hacker sees every client's entries, with nothing that identifies the client.
    const hacker = await d.hacker(['design']);
    const anon = await search(hacker.auth, `q=${encodeURIComponent('ボタン')}`);
    expect(ids(anon)).toEqual([other, button, inBody]);
    const text = JSON.stringify(anon.items);
    expect(text).not.toMatch(/sakura/i);
    expect(text).not.toMatch(/https?:|example\.jp/);
    expect(anon.items[0]).not.toHaveProperty('client_id');
    expect(anon.items[0]).not.toHaveProperty('page_id');

    const csv = await h.app.inject({ url: `/v1/knowledge/export.csv?industry=${industry}&q=${encodeURIComponent('ボタン')}`, headers: a.clientUser.auth });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv; charset=utf-8/);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain('申込ボタンの色を変更');
    expect(csv.body).not.toContain('Sakura');

    const related = await d.api('GET', `/v1/engagements/${a.e.id}/related-knowledge?page_id=${a.pages[0].id}&text=${encodeURIComponent('解約画面をもっと短く')}`, cs.auth);
    expect(related.items[0].id).toBe(churn);
  });
});

describe('knowledge search plans', () => {
  it('walking the id index, the GIN index and the planner give the same pages; looking up only the rarest tokens finds every match', async () => {
    const industry = `plan${uniq()}`;
    const a = await d.startEngagement({ planning_seconds: 60 }, industry);
    ended.push(a.e);
    const words = ['申込フォーム', 'ボタン', '解約フロー', '送料表示', 'checkout', 'Free Shipping', 'hero image'];
    const rows = [];
    for (let i = 0; i < 240; i++) {
      // Deterministic mixes: some entries hold a word in the hypothesis, some only in the change.
      const w1 = words[i % words.length]!;
      const w2 = words[(i * 3 + 1) % words.length]!;
      const e = { hypothesis: `${w1}の改善 ${i}`, change: `A: ${w2}を変更`, learnings: i % 5 === 0 ? `${w2} helped` : null, tags: [i % 2 ? 'cta' : 'copy'], page_type: 'form', outcome: i % 3 ? 'winner' : 'loser', industry, month: `2026-0${1 + (i % 9)}` };
      rows.push({ ...e, ...knowledgeSearchFields(e), test_id: null, client_id: a.client.id, engagement_id: a.e.id, page_id: a.pages[0].id, lift: (i % 7) / 20 - 0.1, ci_low: 0, ci_high: 0.1, status: 'final' as const });
    }
    await h.db.insertInto('knowledge_entries').values(rows).execute();
    await sql`analyze knowledge_entries`.execute(h.db);
    const queries: Omit<KnowledgeQuery, 'limit'>[] = [
      { q: '申込フォームの改善', industry },
      { q: 'ボタン', industry },
      { q: '解約', industry, outcome: 'loser' },
      { q: 'free shipping', industry, tags: ['cta'] },
      { q: 'フォーム', industry, lift_min: -0.05, month_from: '2026-03' },
      { q: 'ゾンビ', industry },
      { industry, outcome: 'winner' },
    ];
    const all = async (query: Omit<KnowledgeQuery, 'limit'>, opts: SearchOptions, limit: number) => {
      const out: { id: number; tier: number }[] = [];
      let cursor: string | undefined;
      do {
        const page = await searchKnowledge(h.db, { ...query, limit, cursor }, opts);
        out.push(...page.items.map((r) => ({ id: r.id, tier: r.relevance_tier })));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return out;
    };
    for (const query of queries) {
      const planned = await all(query, { planFromRows: 0 }, 7);
      expect(await all(query, { planFromRows: 0, plan: 'walk' }, 7)).toEqual(planned);
      expect(await all(query, { planFromRows: 0, plan: 'gin' }, 7)).toEqual(planned);
      expect(await all(query, { planFromRows: 0, plan: 'planner' }, 500)).toEqual(planned);
      // Walking the 30 newest rows, then the GIN index below them: both halves in play.
      expect(await all(query, { planFromRows: 0, plan: 'adaptive', adaptiveWalkRows: 30 }, 7)).toEqual(planned);
      // Every token looked up, the planner's own plan: the same entries (tiers may split differently).
      const bare = await all(query, { planned: false }, 500);
      expect(planned.map((r) => r.id).sort((x, y) => x - y)).toEqual(bare.map((r) => r.id).sort((x, y) => x - y));
      expect(new Set(planned.map((r) => r.id)).size).toBe(planned.length);
      if (query.q !== 'ゾンビ') expect(planned.length, JSON.stringify(query)).toBeGreaterThan(0);
    }
  });
});

describe('knowledge search: long Japanese phrases, 2-character terms, LIKE wildcards', () => {
  it('finds exactly the entries holding the phrase, whichever plan serves it', async () => {
    const industry = `phr${uniq()}`;
    const a = await d.startEngagement({ planning_seconds: 60 }, industry);
    ended.push(a.e);
    const add = async (hypothesis: string, change = 'A: variant') => {
      const e = { hypothesis, change, learnings: null, tags: ['form'], page_type: 'form', outcome: 'winner', industry, month: '2026-05' };
      const row = await h.db
        .insertInto('knowledge_entries')
        .values({ ...e, ...knowledgeSearchFields(e), test_id: null, client_id: a.client.id, engagement_id: a.e.id, page_id: a.pages[0].id, lift: 0.05, ci_low: 0.01, ci_high: 0.09, status: 'final' })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    };
    const phrase = await add('申込フォームの入力項目を短くしたら完了率が上がった');
    const inChange = await add('入力の改善', 'A: 申込フォームの入力項目を短くした');
    // Every bigram and trigram of the phrase, but not the phrase: never a match.
    await add('入力項目を短くした申込フォームの改善');
    await add('申込フォームの入力項目を長くした');
    const churn = await add('解約率が下がった');
    await add('約款を解説した'); // 解 and 約, not 解約
    const percent = await add('送料100%オフ');
    await add('送料100円オフ'); // `%` is a character here, not a wildcard
    const underscore = await add('ab_c の比較');
    await add('abxc の比較');
    for (const opts of [{}, { planFromRows: 0 }, { planFromRows: 0, plan: 'gin' as const }, { planFromRows: 0, plan: 'walk' as const }, { planFromRows: 0, plan: 'adaptive' as const, adaptiveWalkRows: 3 }, { planned: false }]) {
      const ids = async (q: string) => (await searchKnowledge(h.db, { q, industry, limit: 20 }, opts)).items.map((r) => [r.id, r.relevance_tier]);
      expect(await ids('申込フォームの入力項目を短くした'), JSON.stringify(opts)).toEqual([[phrase, 1], [inChange, 2]]);
      expect(await ids('解約'), JSON.stringify(opts)).toEqual([[churn, 1]]);
      expect(await ids('100%'), JSON.stringify(opts)).toEqual([[percent, 1]]);
      expect(await ids('AB_C'), JSON.stringify(opts)).toEqual([[underscore, 1]]);
    }
    // Through the API as well (what the page calls).
    const r = await d.api('GET', `/v1/knowledge?industry=${industry}&q=${encodeURIComponent('申込フォームの入力項目を短くした')}`, cs.auth);
    expect(r.items.map((i: { id: number }) => i.id)).toEqual([phrase, inChange]);
  });
});

describe('holdout', () => {
  it('holdout visitors always get control across two tests of the same client', async () => {
    const authors = [await d.hacker(['design']), await d.hacker(['design'])];
    const ctx = await d.startEngagement({ planning_seconds: 60, offer_window_seconds: 2, selection_seconds: 60, test_max_seconds: 60, interim_check_seconds: 30, learning_seconds: 1, min_proposals: 1, mde_relative: 0.3 });
    ended.push(ctx.e);
    await d.api('PUT', `/v1/clients/${ctx.client.id}/holdout`, cs.auth, { holdout_percent: 10 });
    await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, cs.auth, {
      hypotheses: [
        { author: 'cs', problem: 'Checkout too long', page_id: ctx.pages[0].id, metric: 'conversion', offer_kind: 'open' },
        { author: 'cs', problem: 'Landing unclear', page_id: ctx.pages[1].id, metric: 'conversion', offer_kind: 'open' },
      ],
    });
    const offers = await eventually(async () => {
      const rows = await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).orderBy('id').execute();
      return rows.length === 2 ? rows : undefined;
    });
    const proposals: { id: number }[] = [];
    for (const [i, o] of offers.entries()) proposals.push(await d.api('POST', `/v1/offers/${o.id}/proposals`, authors[i]!.auth, { title: `P${i}`, description: 'd', design_url: 'https://figma.example/h' }));
    await eventually(async () => (await d.phaseOf(ctx.cycleId)) === 'selection', 20_000);
    await d.select(ctx.cycleId, offers.map((o, i) => ({ offer_id: o.id, proposal_ids: [proposals[i]!.id] })));
    const tests = await eventually(async () => {
      const rows = await h.db.selectFrom('tests').select(['id', 'holdout_percent']).where('cycle_id', '=', ctx.cycleId).execute();
      return rows.length === 2 ? rows : undefined;
    });
    expect(tests.map((t) => t.holdout_percent)).toEqual([10, 10]);
    let held = 0;
    const arms: Record<string, number> = {};
    for (let v = 0; v < 300; v++) {
      const visitor = `hv-${v}`;
      const got = [];
      for (const t of tests) got.push((await d.api('GET', `/v1/tests/${t.id}/assignment?visitor=${visitor}`, ctx.clientUser.auth)).arm);
      if (inHoldout(ctx.client.id, visitor, 10)) {
        held++;
        expect(got).toEqual(['control', 'control']);
      } else for (const a of got) arms[a] = (arms[a] ?? 0) + 1;
    }
    expect(held).toBeGreaterThan(10);
    expect(arms.A).toBeGreaterThan(100);
    // Held-out visitors' events are stored but never counted in the arms.
    const events = [];
    for (let v = 0; v < 300; v++) events.push({ event_id: `hx-${v}`, visitor_id: `hv-${v}`, type: 'exposure' }, ...(v % 5 === 0 ? [{ event_id: `hc-${v}`, visitor_id: `hv-${v}`, type: 'conversion' }] : []));
    await d.api('POST', `/v1/tests/${tests[0]!.id}/events`, ctx.clientUser.auth, { events });
    const facts = await h.db.selectFrom('visitor_facts').select((eb) => eb.fn.countAll<number>().as('n')).where('test_id', '=', tests[0]!.id).executeTakeFirstOrThrow();
    expect(Number(facts.n)).toBe(300 - held);
    const report = await d.api('GET', `/v1/clients/${ctx.client.id}/holdout`, ctx.clientUser.auth);
    expect(report).toMatchObject({ holdout_percent: 10, holdout: { n: held }, rest: { n: 300 - held } });
    expect(report.effect.absolute_ci).toHaveLength(2);
    // The second test sees some of the same visitors again (a visitor counts once per client) and new
    // ones, with conversions, in two racing batches; the report (kept at ingest) equals a full
    // recomputation from the stored events.
    const second = [];
    for (let v = 150; v < 450; v++) second.push({ event_id: `hy-${v}`, visitor_id: `hv-${v}`, type: 'exposure' }, ...(v % 3 === 0 ? [{ event_id: `hd-${v}`, visitor_id: `hv-${v}`, type: 'conversion' }] : []));
    await Promise.all([
      d.api('POST', `/v1/tests/${tests[1]!.id}/events`, ctx.clientUser.auth, { events: second.slice(0, 400) }),
      d.api('POST', `/v1/tests/${tests[1]!.id}/events`, ctx.clientUser.auth, { events: second.slice(200) }),
      d.api('POST', `/v1/tests/${tests[0]!.id}/events`, ctx.clientUser.auth, { events }),
    ]);
    const after = await d.api('GET', `/v1/clients/${ctx.client.id}/holdout`, ctx.clientUser.auth);
    const recomputed = await holdoutGroupsFromEvents(h.db, ctx.client.id);
    expect({ holdout: after.holdout, rest: after.rest }).toEqual(recomputed);
    let heldAll = 0;
    for (let v = 0; v < 450; v++) if (inHoldout(ctx.client.id, `hv-${v}`, 10)) heldAll++;
    expect(after.holdout.n + after.rest.n).toBe(450);
    expect(after.holdout.n).toBe(heldAll);
    expect(after.rest.conversions).toBeGreaterThan(report.rest.conversions);
    const impact = await d.api('GET', `/v1/impact?group_by=client`, ctx.clientUser.auth);
    expect(impact.rows.every((r: { key: string }) => r.key === `client-${ctx.client.id}`)).toBe(true);
  });
});
