// Q&A on an offer and the client's ordering ability (issue 28, items 4–5), through the API on real
// Postgres and Temporal: a question is the asker's and the owners' until answered, then every hacker
// of the offer's audience reads it (and nobody else: an outsider of a team offer gets a 404); an
// answer in the offer's last `qa_extension_seconds` moves the workflow's deadline once, only once;
// Q&A shows on the timeline; the ordering-ability figures of a seeded month and the live one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let d: ReturnType<typeof cycleDriver>;
beforeAll(async () => {
  h = await createHarness();
  cs = await userWithToken(h.db, 'cs_manager');
  d = cycleDriver(h, cs);
});
afterAll(() => h.close());

const HOUR = 3_600_000;

describe('Q&A on an offer', () => {
  let world: Awaited<ReturnType<typeof d.startEngagement>> & { offer: { id: number; deadline: Date }; asker: Awaited<ReturnType<typeof d.hacker>>; member: Awaited<ReturnType<typeof d.hacker>>; outsider: Awaited<ReturnType<typeof d.hacker>> };
  const questions = (auth: { authorization: string }) => d.call('GET', `/v1/offers/${world.offer.id}/questions`, auth);

  beforeAll(async () => {
    // A team offer: its audience is the engagement's growth team (asker and member), not the outsider.
    const ctx = await d.startEngagement({ planning_seconds: 600, offer_window_seconds: 900, selection_seconds: 600, test_max_seconds: 600, min_proposals: 1, qa_extension_seconds: 3600 });
    const [asker, member, outsider] = [await d.hacker(['copywriting']), await d.hacker(['copywriting']), await d.hacker(['copywriting'])];
    await d.api('PUT', `/v1/engagements/${ctx.e.id}/team`, cs.auth, { hacker_ids: [asker.id, member.id] });
    await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, ctx.clientUser.auth, {
      hypotheses: [{ author: 'client', problem: 'The plan table is hard to compare', page_id: ctx.pages[1].id, metric: 'conversion', skills: ['copywriting'], offer_kind: 'team' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined, 120_000);
    expect(offer.kind).toBe('team');
    world = { ...ctx, offer, asker, member, outsider };
  });

  it('a question is invisible to other hackers until answered, then visible to the audience and nobody else', async () => {
    const asked = await d.call('POST', `/v1/offers/${world.offer.id}/questions`, world.asker.auth, { body: 'May the plan table be replaced by cards on phones?' });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ mine: true, answer: null, addendum_number: null, hacker_id: world.asker.id });
    const q = asked.body.id as number;

    // Pending: the asker and the owners see it; the other team member does not; the outsider learns nothing.
    expect((await questions(world.asker.auth)).body.items.map((i: any) => i.id)).toEqual([q]);
    const forMember = await questions(world.member.auth);
    expect(forMember.status).toBe(200);
    expect(forMember.body.items).toEqual([]);
    expect(forMember.body.actions.ask.allowed).toBe(true);
    expect((await questions(world.outsider.auth)).status).toBe(404);
    expect((await d.call('POST', `/v1/offers/${world.offer.id}/questions`, world.outsider.auth, { body: 'Can I join?' })).status).toBe(404);
    const forClient = await questions(world.clientUser.auth);
    expect(forClient.body.items).toMatchObject([{ id: q, hacker_id: world.asker.id, mine: false, actions: { answer: { allowed: true } } }]);
    expect((await questions(cs.auth)).body.items.map((i: any) => i.id)).toEqual([q]);
    expect((await questions(world.asker.auth)).body.items[0].actions.answer.allowed).toBe(false);

    // Nobody outside the owners answers: hackers by role, another client's user never sees it, the CS of another client may not.
    const otherClientUser = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db, 'Elsewhere KK')).id });
    const csOther = await userWithToken(h.db, 'cs_manager');
    expect((await d.call('POST', `/v1/questions/${q}/answer`, world.member.auth, { answer: 'no' })).status).toBe(403);
    expect((await d.call('POST', `/v1/questions/${q}/answer`, otherClientUser.auth, { answer: 'no' })).status).toBe(404);
    expect((await d.call('POST', `/v1/questions/${q}/answer`, csOther.auth, { answer: 'no' })).status).toBe(403);
    expect((await questions(otherClientUser.auth)).status).toBe(404);

    const answered = await d.call('POST', `/v1/questions/${q}/answer`, world.clientUser.auth, { answer: 'Yes, below 768 px only.' });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ id: q, answer: 'Yes, below 768 px only.', addendum_number: 1 });
    expect((await d.call('POST', `/v1/questions/${q}/answer`, cs.auth, { answer: 'again' })).status).toBe(409);

    // Published: every hacker of the audience reads question and answer (not who asked); still 404 outside.
    const published = await questions(world.member.auth);
    expect(published.body.items).toMatchObject([{ id: q, body: 'May the plan table be replaced by cards on phones?', answer: 'Yes, below 768 px only.', addendum_number: 1, hacker_id: null, mine: false }]);
    expect((await questions(world.outsider.auth)).status).toBe(404);
    expect((await questions(otherClientUser.auth)).status).toBe(404);
  });

  it('an answer in the last hour before the deadline moves the workflow\'s deadline by an hour, once and only once', async () => {
    // The first answer (previous test) came within qa_extension_seconds (an hour) of the 15-minute window's end.
    const original = world.offer.deadline.getTime();
    const moved = await eventually(async () => {
      const o = await h.db.selectFrom('offers').select(['deadline', 'qa_extended']).where('id', '=', world.offer.id).executeTakeFirstOrThrow();
      return o.qa_extended ? o : undefined;
    }, 120_000);
    expect(moved.deadline.getTime()).toBe(original + HOUR);
    // The workflow's own timer follows: its view of the offer carries the new deadline.
    const view = await eventually(async () => {
      const v = (await d.api('GET', `/v1/cycles/${world.cycleId}`, cs.auth)) as { live: { offers: { offerId: number; deadline: string }[] } | null };
      const o = v.live?.offers.find((x) => x.offerId === world.offer.id);
      return o && Date.parse(o.deadline) === original + HOUR ? o : undefined;
    }, 120_000);
    expect(Date.parse(view.deadline)).toBe(original + HOUR);

    // A second answer, also in the last hour, moves nothing: wait until the workflow has asked again.
    const second = await d.api('POST', `/v1/offers/${world.offer.id}/questions`, world.member.auth, { body: 'Is the legal footer fixed?' });
    expect((await d.call('POST', `/v1/questions/${second.id}/answer`, cs.auth, { answer: 'Yes, keep it as is.' })).body).toMatchObject({ addendum_number: 2, deadline_extended_to: null });
    const workflowId = (await h.db.selectFrom('cycles').select('workflow_id').where('id', '=', world.cycleId).executeTakeFirstOrThrow()).workflow_id;
    await eventually(async () => {
      const history = await h.temporal.workflow.getHandle(workflowId).fetchHistory();
      const scheduled = new Map<string, string>();
      let completed = 0;
      for (const e of history.events ?? []) {
        const s = e.activityTaskScheduledEventAttributes;
        if (s?.activityType?.name === 'extendForAddendum') scheduled.set(String(e.eventId), 'x');
        const c = e.activityTaskCompletedEventAttributes;
        if (c && scheduled.has(String(c.scheduledEventId))) completed++;
      }
      return completed >= 2;
    }, 120_000);
    const after = await h.db.selectFrom('offers').select(['deadline', 'qa_extended']).where('id', '=', world.offer.id).executeTakeFirstOrThrow();
    expect(after.deadline.getTime()).toBe(original + HOUR);
    const addenda = await h.db.selectFrom('offer_addenda').select(['number', 'deadline_extended_to']).where('offer_id', '=', world.offer.id).orderBy('number').execute();
    expect(addenda).toEqual([
      { number: 1, deadline_extended_to: new Date(original + HOUR) },
      { number: 2, deadline_extended_to: null },
    ]);
  }, 400_000);

  it('questions and answers are part of the offer\'s history on the timeline', async () => {
    const t = await d.api('GET', `/v1/engagements/${world.e.id}/timeline`, world.clientUser.auth);
    const kinds = t.cycles[0].decisions.filter((x: any) => x.kind === 'question' || x.kind === 'answer').map((x: any) => [x.kind, x.actor_user_id]);
    expect(kinds).toEqual([
      ['question', world.asker.user.id],
      ['answer', world.clientUser.user.id],
      ['question', world.member.user.id],
      ['answer', cs.user.id],
    ]);
    expect(t.cycles[0].decisions.find((x: any) => x.kind === 'answer').summary).toMatch(/addendum 1; the offer's deadline moved to/);
  });

  it('the brief cannot be rewritten after the first proposal: answers only append addenda', async () => {
    // A month planned from a structured brief (B1's routes): drafted, reviewed, posted by CS.
    const ctx = await d.startEngagement({ planning_seconds: 600, offer_window_seconds: 900, selection_seconds: 600, min_proposals: 1 });
    const draft = await d.api('POST', `/v1/cycles/${ctx.cycleId}/briefs`, cs.auth, { template: 'ecommerce', author: 'cs' });
    const content = { ...draft.content, page_ids: [ctx.pages[0].id], observation: 'the cart shows shipping late', hypothesis: 'surprise costs stop people', expected_change: 'more orders', visibility: 'open' };
    await d.api('PUT', `/v1/briefs/${draft.id}`, cs.auth, { content });
    await d.api('POST', `/v1/briefs/${draft.id}/submit`, cs.auth);
    const approved = await d.api('POST', `/v1/briefs/${draft.id}/approve`, cs.auth);
    if (!approved.checklist.passed) await d.api('POST', `/v1/briefs/${draft.id}/override`, cs.auth, { reason: 'the Q&A test does not need the power' });
    await d.api('POST', `/v1/briefs/${draft.id}/post`, cs.auth);
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined, 120_000);
    const author = await d.hacker(['copywriting']);
    await d.api('POST', `/v1/offers/${offer.id}/proposals`, author.auth, { title: 'Shipping in the cart', description: 'd', design_url: 'https://figma.example/q' });

    const rewrite = await d.call('PUT', `/v1/briefs/${draft.id}`, ctx.clientUser.auth, { content: { ...content, observation: 'something else entirely' } });
    expect(rewrite.status).toBe(409);
    expect((await d.call('PUT', `/v1/briefs/${draft.id}`, cs.auth, { content: { ...content, observation: 'something else entirely' } })).status).toBe(409);
    // A question answered after the proposal appends an addendum; the brief's text stays as posted.
    const q = await d.api('POST', `/v1/offers/${offer.id}/questions`, author.auth, { body: 'Free shipping threshold: may we show it?' });
    await d.api('POST', `/v1/questions/${q.id}/answer`, cs.auth, { answer: 'Yes: ¥5,000.' });
    expect((await d.api('GET', `/v1/offers/${offer.id}`, author.auth)).brief).toBe(offer.brief);
    expect((await d.api('GET', `/v1/offers/${offer.id}/questions`, author.auth)).items).toMatchObject([{ addendum_number: 1, answer: 'Yes: ¥5,000.' }]);
  }, 300_000);

  it("ordering ability: a seeded month's figures and the live month's, for the client, CS and admin only", async () => {
    // A past month of the same client, written as the cycle would have left it.
    const month = '2026-09';
    const author = cs.user.id;
    const cycle = await h.db.insertInto('cycles').values({ engagement_id: world.e.id, month, workflow_id: `seeded-${world.e.id}`, phase: 'completed', report: JSON.stringify({ monthly_revenue_uplift_yen: 250_000 }) }).returning('id').executeTakeFirstOrThrow();
    const hyp = async (ordinal: number, skills: string[], offerKind: 'open' | null) =>
      (await h.db.insertInto('hypotheses').values({ cycle_id: cycle.id, ordinal, author: 'cs', author_user_id: author, problem: `Problem ${ordinal}`, page_id: world.pages[0].id, metric: 'conversion', skills, offer_kind: offerKind }).returning('id').executeTakeFirstOrThrow()).id;
    const offer = async (hypothesisId: number) =>
      (await h.db.insertInto('offers').values({ cycle_id: cycle.id, hypothesis_id: hypothesisId, kind: 'open', brief: 'b', adoption_fee_yen: 0, win_bonus_yen: 0, submission_fee_yen: 0, deadline: new Date('2026-09-10T00:00:00Z'), status: 'closed' }).returning('id').executeTakeFirstOrThrow()).id;
    // Brief completeness: all five fields (1.0) and three of five (0.6): 0.8 on average.
    const [o1, o2] = [await offer(await hyp(1, ['copywriting'], 'open')), await offer(await hyp(2, [], null))];
    for (const body of ['q1', 'q2', 'q3']) await h.db.insertInto('offer_questions').values({ offer_id: o1, hacker_id: world.asker.id, asked_by: world.asker.user.id, body }).execute();
    const proposal = async (offerId: number, status: 'submitted' | 'selected' | 'rejected' | 'withdrawn', review: 'pending' | 'passed') =>
      (await h.db.insertInto('proposals').values({ offer_id: offerId, hacker_id: world.member.id, title: 't', description: 'd', design_url: 'https://figma.example/x', status, review_status: review }).returning('id').executeTakeFirstOrThrow()).id;
    await proposal(o1, 'selected', 'passed');
    await proposal(o1, 'rejected', 'passed');
    await proposal(o2, 'selected', 'passed');
    await proposal(o2, 'rejected', 'pending');
    await proposal(o2, 'withdrawn', 'pending');
    const test = async (offerId: number, outcome: 'winner' | 'loser', invalidated: boolean) => {
      const t = await h.db.insertInto('tests').values({ offer_id: offerId, cycle_id: cycle.id, page_id: world.pages[0].id, metric: 'conversion', planned_sample_total: 1000, workflow_id: `seeded-test-${offerId}-${outcome}` }).returning('id').executeTakeFirstOrThrow();
      await h.db.insertInto('verdicts').values({ test_id: t.id, kind: 'final', check_no: 1, engine: 'frequentist', outcome, winner_variant_id: null, request: '{}', result: '{}', invalidated_at: invalidated ? new Date() : null }).execute();
    };
    // Win rate over valid final verdicts: the invalidated one does not count (1 of 1, not 1 of 2).
    await test(o1, 'winner', false);
    await test(o2, 'loser', true);

    const live = (await h.db.selectFrom('cycles').select('month').where('id', '=', world.cycleId).executeTakeFirstOrThrow()).month;
    const r = await d.api('GET', `/v1/engagements/${world.e.id}/ordering-ability`, world.clientUser.auth);
    expect(r).toMatchObject({ engagement_id: world.e.id, client_id: world.client.id });
    expect(r.months).toEqual([
      { month, offers: 2, brief_completeness: 0.8, questions_per_offer: 1.5, proposals_per_offer: 2, proposals_passed: 3, qa_pass_rate: 0.75, selection_rate: 0.5, win_rate: 1, uplift_yen: 250_000 },
      { month: live, offers: 1, brief_completeness: 1, questions_per_offer: 2, proposals_per_offer: 0, proposals_passed: 0, qa_pass_rate: null, selection_rate: null, win_rate: null, uplift_yen: 0 },
    ]);
    expect((await d.call('GET', `/v1/engagements/${world.e.id}/ordering-ability`, cs.auth)).status).toBe(200);
    expect((await d.call('GET', `/v1/engagements/${world.e.id}/ordering-ability`, world.asker.auth)).status).toBe(403);
    const otherClientUser = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db, 'Nosy KK')).id });
    expect((await d.call('GET', `/v1/engagements/${world.e.id}/ordering-ability`, otherClientUser.auth)).status).toBe(403);
  });
});
