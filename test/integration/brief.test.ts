// The structured brief (issue 28 items 1–3) through the API on real Postgres and Temporal: a brief
// drafted from a template, returned by CS with a field comment, edited, approved; the offer posts only
// when its checklist passes or CS overrides it (the reason recorded); the power sentence from the
// page's seeded traffic; another client's brief is a 404; a brief left unreviewed at the planning
// deadline becomes CS's task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { briefPower, powerSentence } from '../../src/domain/cycles/brief-checklist.ts';
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

const MONTH_MDE = 0.02;
const settings = { planning_seconds: 600, offer_window_seconds: 600, selection_seconds: 60, min_proposals: 1, mde_relative: MONTH_MDE, alpha: 0.05 };

const rule = (brief: any, name: string) => brief.checklist.items.find((i: { rule: string }) => i.rule === name);

describe('brief', () => {
  it('posts only from an approved brief whose checklist passes or that CS overrode; CS returns with a field comment first', async () => {
    const { cycleId, clientUser, pages } = await d.startEngagement(settings, 'finance');
    // Drafted by the client from the finance template (must-keep, constraints and notices prefilled).
    const created = await d.api('POST', `/v1/cycles/${cycleId}/briefs`, clientUser.auth, { template: 'finance' });
    expect(created).toMatchObject({ state: 'draft', author: 'client', template: 'finance', industry: 'finance' });
    expect(created.content.mandatory_notices.length).toBeGreaterThan(0);
    expect(created.actions.submit_for_review.allowed).toBe(true);
    expect(created.actions.approve).toMatchObject({ allowed: false });

    const content = {
      ...created.content,
      page_ids: [pages[0].id],
      observation: 'half of the visitors <script>alert(1)</script>leave at the income field',
      hypothesis: 'the field looks intrusive',
      expected_change: 'more completed applications',
      visibility: 'open',
    };
    const edited = await d.api('PUT', `/v1/briefs/${created.id}`, clientUser.auth, { content });
    // One person writes, another reads: markup is dropped.
    expect(edited.content.observation).toBe('half of the visitors leave at the income field');

    // The power sentence from the page's seeded traffic (5,000 visitors a day, baseline 10%).
    const power = briefPower({ baseline_rate: 0.1, daily_visitors: 5000 }, { mde_relative: MONTH_MDE, alpha: 0.05 });
    expect(edited.checklist.power_sentence).toBe(powerSentence(power));
    expect(edited.checklist.power_sentence).toMatch(/^with your traffic this test can detect a \+\d+\.\d% change in 28 days$/);
    expect(rule(edited, 'detectable_effect')).toMatchObject({ passed: false });
    expect(rule(edited, 'detectable_effect').detail).toContain(`needs ${power.days_for_target} days`);
    expect(edited.checklist.passed).toBe(false);

    // A month planned with briefs does not take a free-text plan.
    const freeText = await d.call('POST', `/v1/cycles/${cycleId}/plan`, cs.auth, { hypotheses: [{ author: 'cs', problem: 'p', page_id: pages[0].id, metric: 'conversion' }] });
    expect(freeText.status).toBe(409);

    // Review: submit → CS returns with a comment on one field → the client edits → submit → approve.
    expect((await d.api('POST', `/v1/briefs/${created.id}/submit`, clientUser.auth)).state).toBe('in_review');
    expect((await d.call('PUT', `/v1/briefs/${created.id}`, clientUser.auth, { content })).status).toBe(409);
    expect((await d.call('POST', `/v1/briefs/${created.id}/approve`, clientUser.auth)).status).toBe(403);
    const returned = await d.api('POST', `/v1/briefs/${created.id}/return`, cs.auth, { comments: [{ field: 'observation', body: 'Which report shows this? Link it.' }] });
    expect(returned.state).toBe('draft');
    expect(returned.comments).toMatchObject([{ field: 'observation', body: 'Which report shows this? Link it.', author_user_id: cs.user.id }]);
    await d.api('PUT', `/v1/briefs/${created.id}`, clientUser.auth, { content: { ...content, observation: 'the funnel report (Nov): 48% leave at the income field' } });
    await d.api('POST', `/v1/briefs/${created.id}/submit`, clientUser.auth);
    const approved = await d.api('POST', `/v1/briefs/${created.id}/approve`, cs.auth);
    expect(approved.state).toBe('approved');

    // The checklist fails: no post, nothing reaches the workflow.
    expect(approved.actions.post.allowed).toBe(false);
    expect(approved.actions.post.reason).toContain('detectable_effect');
    const refused = await d.call('POST', `/v1/briefs/${created.id}/post`, clientUser.auth);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('detectable_effect');
    expect(await h.db.selectFrom('hypotheses').select('id').where('cycle_id', '=', cycleId).execute()).toEqual([]);

    // Only CS overrides, with a reason that is kept.
    expect(approved.actions.override_checklist.allowed).toBe(true);
    expect((await d.api('GET', `/v1/briefs/${created.id}`, clientUser.auth)).actions.override_checklist).toMatchObject({ allowed: false });
    expect((await d.call('POST', `/v1/briefs/${created.id}/override`, clientUser.auth, { reason: 'me' })).status).toBe(403);
    const overridden = await d.api('POST', `/v1/briefs/${created.id}/override`, cs.auth, { reason: 'Low traffic; the client accepts a longer test.' });
    expect(overridden.override).toMatchObject({ reason: 'Low traffic; the client accepts a longer test.', by: cs.user.id });
    expect(overridden.history.map((e: { kind: string }) => e.kind)).toEqual(['create', 'edit', 'submit_for_review', 'return', 'edit', 'submit_for_review', 'approve', 'override_checklist']);

    const posted = await d.api('POST', `/v1/briefs/${created.id}/post`, clientUser.auth);
    expect(posted.state).toBe('posted');
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', cycleId).executeTakeFirst()) ?? undefined, 60_000);
    expect(offer.hypothesis_id).toBe(posted.hypothesis_id);
    expect(offer.kind).toBe('open');
    expect(offer.brief).toContain('Based on the funnel report (Nov): 48% leave at the income field, we expect more completed applications because the field looks intrusive.');
    expect(offer.brief).toContain('Mandatory notices:');
    expect((await d.api('GET', `/v1/briefs/${created.id}`, cs.auth)).offer_id).toBe(offer.id);
  });

  it("another client's brief is a 404; a brief unreviewed at the planning deadline is CS's task", async () => {
    const { cycleId, clientUser, pages } = await d.startEngagement({ ...settings, planning_seconds: 12 }, 'cosmetics');
    const brief = await d.api('POST', `/v1/cycles/${cycleId}/briefs`, cs.auth, { template: 'cosmetics', author: 'cs' });
    await d.api('PUT', `/v1/briefs/${brief.id}`, cs.auth, { content: { ...brief.content, page_ids: [pages[1].id], constraints: '', mandatory_notices: [] } });
    const view = await d.api('GET', `/v1/briefs/${brief.id}`, clientUser.auth);
    expect(rule(view, 'constraints_stated')).toMatchObject({ passed: false, detail: 'a cosmetics brief must state its legal constraints' });
    await d.api('POST', `/v1/briefs/${brief.id}/submit`, cs.auth);

    const other = await userWithToken(h.db, 'client', { clientId: (await makeClient(h.db)).id });
    expect((await d.call('GET', `/v1/briefs/${brief.id}`, other.auth)).status).toBe(404);
    expect((await d.call('POST', `/v1/briefs/${brief.id}/submit`, other.auth)).status).toBe(404);
    expect((await d.call('PUT', `/v1/briefs/${brief.id}`, other.auth, { content: brief.content })).status).toBe(404);

    const task = await eventually(async () => {
      const tasks = (await d.api('GET', '/v1/tasks', cs.auth)).items as { kind: string; brief_id?: number; overdue: boolean }[];
      return tasks.find((t) => t.kind === 'review_brief' && t.brief_id === brief.id && t.overdue);
    }, 90_000, 2000);
    expect(task).toMatchObject({ cycle_id: cycleId, overdue: true });
    const alert = await h.db.selectFrom('alerts').select(['kind', 'message']).where('cycle_id', '=', cycleId).where('kind', '=', 'brief_unreviewed').executeTakeFirstOrThrow();
    expect(alert.message).toBe(`Brief ${brief.id} is still in_review at the planning deadline`);
  });
});
