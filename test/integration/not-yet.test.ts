// "Not yet" refusals (issue 20 item 9): a decision a workflow refuses only because it has not caught up
// (here a payout run still drafting, whose record may already say review) answers 409 with
// `Retry-After`, and the simulated people's ApiClient (src/sim/actors.ts) waits it out and returns the
// final answer, keyed on the header. A worker with the workflows but no activities keeps the run in
// drafting for as long as the test needs, as a slow or restarting worker does.
import { NativeConnection, Worker } from '@temporalio/worker';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/sim/actors.ts';
import { workflowsPath } from '../../src/temporal.ts';
import { createHarness, dataConverter, eventually, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let finA: Awaited<ReturnType<typeof userWithToken>>;
let finB: Awaited<ReturnType<typeof userWithToken>>;
let baseUrl: string;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  finA = await userWithToken(h.db, 'finance');
  finB = await userWithToken(h.db, 'finance');
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(() => h.close());

const post = async (url: string, auth: { authorization: string }, payload?: object) => {
  const res = await h.app.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json(), retryAfter: res.headers['retry-after'] };
};

describe('a payout run still drafting', () => {
  it('answers a hold or a decision 409 with Retry-After; ApiClient retries until the final answer', async () => {
    const connection = await NativeConnection.connect({ address: h.config.temporalAddress! });
    const workflowsOnly = await Worker.create({ connection, namespace: h.config.temporalNamespace, taskQueue: h.config.taskQueue, workflowsPath, dataConverter });
    const running = workflowsOnly.run();
    try {
      // No ledger line is that old: once drafted, the run completes empty and takes no other file's lines.
      const opened = await post('/v1/payout-runs', finA.auth, { month: '2000-02' });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
      const runId = opened.body.id as number;
      const hold = `/v1/payout-runs/${runId}/items/1/hold`;

      // The workflow has taken neither the hold nor the decision, and says when to ask again.
      const held = await post(hold, finA.auth, { reason: 'invoice missing' });
      expect(held.status).toBe(409);
      expect(held.body.error.message).toMatch(/drafting/);
      expect(Number(held.retryAfter)).toBeGreaterThan(0);
      const approved = await post(`/v1/payout-runs/${runId}/approve`, finB.auth);
      expect(approved.status).toBe(409);
      expect(Number(approved.retryAfter)).toBeGreaterThan(0);

      // The harness's people retry that answer until the draft is done (then: completed, empty).
      const api = new ApiClient({ baseUrl: () => baseUrl, retryForMs: 120_000 });
      const answer = api.call('POST', hold, finA.token, { reason: 'invoice missing' });
      await eventually(async () => api.retries > 0);
      const stopFull = await h.startWorker();
      try {
        const final = await answer;
        expect(final.status).toBe(409);
        expect(final.body.error.message).toMatch(/has no running workflow; it is completed/);
        expect(final.retried).toBe(false);
        expect(api.retriesAsked).toBeGreaterThan(0);
        expect(api.statusCounts.get(409)).toBeGreaterThan(1);
      } finally {
        await stopFull();
      }
    } finally {
      workflowsOnly.shutdown();
      await running;
      await connection.close();
    }
  }, 120_000);
});
