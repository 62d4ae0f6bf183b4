// Real calendar months on Temporal's time-skipping test server: the engagement continues-as-new at
// 00:00 Asia/Tokyo on the 1st, whatever the month's length, starting one cycle per month. (Ending at
// a boundary is covered on the dev server: this server stops skipping time once an update has run.)
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../src/activities/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createDb } from '../../src/db/index.ts';
import { addMonths, monthEndUtcMs, tokyoMonthOf } from '../../src/domain/months.ts';
import { resolveTemporalTool } from '../../src/infra/tools.ts';
import { workflowsPath } from '../../src/temporal.ts';
import { SEARCH_ATTRIBUTE_NAMES } from '../../src/workflows/search-attributes.ts';
import { engagementStatusQuery, engagementWorkflow } from '../../src/workflows/engagement.ts';
import { eventually, makeClient } from '../helpers.ts';

let env: TestWorkflowEnvironment;
const db = createDb(inject('databaseUrl'), 3);

beforeAll(async () => {
  const path = resolveTemporalTool('testServer', loadConfig().tools);
  env = await TestWorkflowEnvironment.createTimeSkipping(path ? { server: { executable: { type: 'existing-path', path } } } : {});
  // The Java test server implements AddSearchAttributes but not the listing.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_NAMES.map((n) => [n, 2 /* KEYWORD */])),
  });
});
afterAll(async () => {
  await env?.teardown();
  await db.destroy();
});

describe('calendar months (time-skipping server)', () => {
  it('continues-as-new at the Tokyo month boundary with its state, starting the next cycle', async () => {
    const client = await makeClient(db);
    const cs = await db.insertInto('users').values({ name: 'cs', role: 'cs_manager', client_id: null, hacker_id: null }).returning('id').executeTakeFirstOrThrow();
    const month = tokyoMonthOf(Date.now());
    const e = await db
      .insertInto('engagements')
      .values({
        client_id: client.id,
        cs_manager_id: cs.id,
        offer_mode: 'open',
        monthly_fee_yen: 400_000,
        start_month: month,
        status: 'active',
        workflow_id: `engagement-ts-${client.id}`,
        created_by: cs.id,
      } as never)
      .returningAll()
      .executeTakeFirstOrThrow();
    await db.insertInto('engagement_settings').values({ engagement_id: e.id }).execute();

    const taskQueue = `months-${e.id}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never }),
      // What this workflow's activities read of the configuration (the no-traffic hours of a test's checks).
      activities: createActivities({ db, config: { noTrafficHours: 24 } } as never),
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(engagementWorkflow, {
        workflowId: e.workflow_id,
        taskQueue,
        args: [{ engagementId: e.id, clientId: client.id, month, monthsCompleted: 0, status: 'active' }],
      });
      const first = await handle.query(engagementStatusQuery);
      expect(first.monthEndsAt).toBe(new Date(monthEndUtcMs(month)).toISOString());
      expect(new Date(first.monthEndsAt).getUTCHours()).toBe(15); // 00:00 JST on the 1st

      // Skip past the boundary: the next run carries the state into the next calendar month.
      await env.sleep(monthEndUtcMs(month) - (await env.currentTimeMs()) + 60_000);
      const second = await handle.query(engagementStatusQuery);
      expect(second).toMatchObject({ month: addMonths(month, 1), monthsCompleted: 1, status: 'active' });
      expect(second.monthEndsAt).toBe(new Date(monthEndUtcMs(addMonths(month, 1))).toISOString());

      await eventually(async () => {
        const row = await db.selectFrom('engagements').select('current_month').where('id', '=', e.id).executeTakeFirstOrThrow();
        return row.current_month === addMonths(month, 1);
      });
      // Each month started its own improvement cycle.
      const cycles = await eventually(async () => {
        const rows = await db.selectFrom('cycles').select('month').where('engagement_id', '=', e.id).orderBy('month').execute();
        return rows.length === 2 ? rows : undefined;
      });
      expect(cycles.map((c) => c.month)).toEqual([month, addMonths(month, 1)]);
      await handle.terminate('test over');
    });
  });
});
