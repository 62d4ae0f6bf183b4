import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/temporal.ts';
import { engagementStatusQuery } from '../../src/workflows/engagement.ts';
import { ClientIdKey, EngagementIdKey, EngagementStatusKey } from '../../src/workflows/search-attributes.ts';
import { tokyoMonthOf, addMonths } from '../../src/domain/months.ts';
import { createHarness, eventually, makeClient, userWithToken, type Harness, dataConverter } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
beforeAll(async () => {
  h = await createHarness();
  cs = await userWithToken(h.db, 'cs_manager');
});
afterAll(() => h.close());

async function createEngagement(payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  const client = await makeClient(h.db, 'Acme Retail KK');
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/engagements',
    headers: { ...cs.auth, ...headers },
    payload: { client_id: client.id, offer_mode: 'targeted', monthly_fee_yen: 800_000, ...payload },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('engagement lifecycle', () => {
  it('creating an engagement starts its workflow with search attributes and a summary', async () => {
    const e = await createEngagement({});
    expect(e.workflow_id).toBe(`engagement-${e.id}`);
    expect(e.cs_manager_id).toBe(cs.user.id);
    const handle = h.temporal.workflow.getHandle(e.workflow_id);
    const d = await handle.describe();
    expect(d.status.name).toBe('RUNNING');
    expect(d.typedSearchAttributes.get(EngagementIdKey)).toBe(String(e.id));
    expect(d.typedSearchAttributes.get(ClientIdKey)).toBe(String(e.client_id));
    expect(d.typedSearchAttributes.get(EngagementStatusKey)).toBe('active');
    // The summary is readable without the codec server, so it names ids, never the client.
    expect(await d.staticSummary()).toBe(`Engagement #${e.id} (client #${e.client_id})`);

    const view = await h.app.inject({ url: `/v1/engagements/${e.id}`, headers: cs.auth });
    const body = view.json();
    expect(body.workflow.execution_status).toBe('RUNNING');
    expect(body.workflow.live).toMatchObject({ status: 'active', month: tokyoMonthOf(Date.now()), monthsCompleted: 0 });
    await eventually(async () => (await h.db.selectFrom('engagements').select('current_month').where('id', '=', e.id).executeTakeFirst())?.current_month);

    // Visible through the Temporal client's list (visibility is eventually consistent).
    await eventually(async () => {
      for await (const wf of h.temporal.workflow.list({ query: `EngagementId = '${e.id}'` })) return wf.workflowId === e.workflow_id;
      return false;
    });
  });

  it('an Idempotency-Key makes a retried create return the same engagement', async () => {
    const client = await makeClient(h.db);
    const send = () =>
      h.app.inject({
        method: 'POST',
        url: '/v1/engagements',
        headers: { ...cs.auth, 'idempotency-key': `create-${client.id}` },
        payload: { client_id: client.id, offer_mode: 'open', monthly_fee_yen: 300_000 },
      });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    const rows = await h.db.selectFrom('engagements').select('id').where('client_id', '=', client.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('rejects a start month in the past and an unknown client, naming the fields', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/engagements',
      headers: cs.auth,
      payload: { client_id: 999999999, offer_mode: 'open', monthly_fee_yen: 1000, start_month: '2020-01' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['/body/client_id', '/body/start_month']);
  });

  it('`end` immediately needs a reason, then moves Postgres and Temporal to ended', async () => {
    const e = await createEngagement({});
    const noReason = await h.app.inject({ method: 'POST', url: `/v1/engagements/${e.id}/end`, headers: cs.auth, payload: { mode: 'immediately' } });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('/body/reason');

    const client = await userWithToken(h.db, 'client', { clientId: e.client_id });
    const notAllowed = await h.app.inject({
      method: 'POST',
      url: `/v1/engagements/${e.id}/end`,
      headers: client.auth,
      payload: { mode: 'immediately', reason: 'x' },
    });
    expect(notAllowed.statusCode).toBe(403);

    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/engagements/${e.id}/end`,
      headers: cs.auth,
      payload: { mode: 'immediately', reason: 'contract terminated by client' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ended', end_reason: 'contract terminated by client' });

    const handle = h.temporal.workflow.getHandle(e.workflow_id);
    const result = await handle.result();
    expect(result.status).toBe('ended');
    const d = await handle.describe();
    expect(d.status.name).toBe('COMPLETED');
    expect(d.typedSearchAttributes.get(EngagementStatusKey)).toBe('ended');

    const again = await h.app.inject({
      method: 'POST',
      url: `/v1/engagements/${e.id}/end`,
      headers: cs.auth,
      payload: { mode: 'immediately', reason: 'twice' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('a month boundary continues-as-new with the state intact; `at_month_end` ends at the next one', async () => {
    const e = await createEngagement({ month_length_seconds: 3 });
    const handle = h.temporal.workflow.getHandle(e.workflow_id);
    const firstRun = (await handle.describe()).runId;
    const startMonth = e.start_month;

    const next = await eventually(async () => {
      const d = await handle.describe();
      return d.runId !== firstRun && d.status.name === 'RUNNING' ? d : undefined;
    }, 30_000);
    expect(next.typedSearchAttributes.get(EngagementIdKey)).toBe(String(e.id));
    expect(next.typedSearchAttributes.get(EngagementStatusKey)).toBe('active');
    const view = await handle.query(engagementStatusQuery);
    expect(view.monthsCompleted).toBeGreaterThanOrEqual(1);
    expect(view.month).toBe(addMonths(startMonth, view.monthsCompleted));
    await eventually(async () => {
      const row = await h.db.selectFrom('engagements').select('current_month').where('id', '=', e.id).executeTakeFirst();
      return row?.current_month && row.current_month > startMonth;
    });

    const end = await h.app.inject({
      method: 'POST',
      url: `/v1/engagements/${e.id}/end`,
      headers: { ...cs.auth, 'idempotency-key': 'end-1' },
      payload: { mode: 'at_month_end' },
    });
    expect(end.statusCode, end.body).toBe(200);
    expect(end.json().status).toBe('ending');
    const twice = await h.app.inject({
      method: 'POST',
      url: `/v1/engagements/${e.id}/end`,
      headers: cs.auth,
      payload: { mode: 'at_month_end' },
    });
    expect(twice.statusCode).toBe(409);

    const done = await eventually(async () => {
      const row = await h.db.selectFrom('engagements').selectAll().where('id', '=', e.id).executeTakeFirst();
      return row?.status === 'ended' ? row : undefined;
    }, 30_000);
    expect(done.ended_at).toBeInstanceOf(Date);
    // The row is written by the last activity; the workflow completes right after it.
    expect(await h.temporal.workflow.getHandle(e.workflow_id).result()).toMatchObject({ status: 'ended' });
    const final = await h.temporal.workflow.getHandle(e.workflow_id).describe();
    expect(final.status.name).toBe('COMPLETED');

    // The last run's history (end requested, then ended at the boundary) replays against today's code,
    // as does the committed one (SAVE_HISTORY=1 refreshes it).
    const history = await h.temporal.workflow.getHandle(e.workflow_id).fetchHistory();
    const fixture = new URL('../fixtures/histories/engagement-ending.json', import.meta.url);
    if (process.env.SAVE_HISTORY) writeFileSync(fixture, historyToJSON(history));
    const saved = existsSync(fixture) ? [{ workflowId: 'saved', history: JSON.parse(readFileSync(fixture, 'utf8')) }] : [];
    for await (const r of Worker.runReplayHistories({ workflowsPath, dataConverter }, [{ workflowId: 'fresh', history }, ...saved])) {
      expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
    }
  });
});
