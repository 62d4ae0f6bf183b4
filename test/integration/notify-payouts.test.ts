// A payout run waiting for approval e-mails the finance users who may approve it under the four-eyes
// rule — never its preparer — through the embedded SMTP server; the category cannot be turned off.
// Its own database (a run drafts every unpaid line up to its month).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payoutWorld } from '../fixtures/payouts.ts';
import { eventually, userWithToken } from '../helpers.ts';

let w: Awaited<ReturnType<typeof payoutWorld>>;
beforeAll(async () => {
  w = await payoutWorld('Notify Payouts', { idOffset: 2_200_000_000 });
});
afterAll(() => w.h.close());

describe('payout.awaiting_approval', () => {
  it('reaches the finance users who may approve, not the preparer', async () => {
    const { h, finA, finB } = w;
    const finC = await userWithToken(h.db, 'finance');
    const admin = await userWithToken(h.db, 'admin');
    const tag = randomUUID().slice(0, 8);
    const email = (u: { user: { id: number } }) => `finance-${u.user.id}-${tag}@example.test`;
    for (const u of [finA, finB, finC]) {
      const res = await h.app.inject({ method: 'PUT', url: '/v1/me/notification-preferences', headers: u.auth, payload: { email: email(u), locale: 'en' } });
      expect(res.statusCode, res.body).toBe(200);
    }
    // Finance cannot turn approvals off.
    const off = await h.app.inject({ method: 'PUT', url: '/v1/me/notification-preferences', headers: finB.auth, payload: { modes: { payout_approval: 'off' } } });
    expect(off.statusCode).toBe(400);
    expect(off.json().error.details[0].path).toBe('/body/modes/payout_approval');

    const month = '2035-03';
    await w.payee('Notified Payee', 100_000, month);
    const start = await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: finA.auth, payload: { month } });
    expect(start.statusCode, start.body).toBe(201);
    const runId: number = start.json().id;

    const inbox = async (u: { user: { id: number } }) =>
      (await h.app.inject({ method: 'GET', url: `/v1/dev/mailbox?to=${encodeURIComponent(email(u))}`, headers: admin.auth })).json().items as { subject: string; text: string; headers: Record<string, string> }[];
    const [toB] = await eventually(async () => {
      const m = await inbox(finB);
      return m.length ? m : undefined;
    }, 90_000);
    const toC = await eventually(async () => {
      const m = await inbox(finC);
      return m.length ? m : undefined;
    }, 60_000);
    expect(toB!.subject).toBe(`Payout run ${month} awaits your approval`);
    expect(toB!.text).toContain(`/payout-runs/${runId}`);
    // No unsubscribe for a category that cannot be turned off; never bank details.
    expect(toB!.headers['list-unsubscribe']).toBeUndefined();
    expect(toB!.text).not.toMatch(/ﾃｽﾄ|account/i);
    expect(toC.map((m) => m.subject)).toEqual([toB!.subject]);
    const deliveries = await h.db.selectFrom('notification_deliveries').select('user_id').where('event_id', '=', `payout.awaiting_approval:${runId}`).orderBy('user_id').execute();
    expect(deliveries.map((d) => d.user_id)).toEqual([finB.user.id, finC.user.id]);
    expect(await inbox(finA)).toEqual([]);
  });
});

describe('payout.transfer_failed', () => {
  it('tells the payee (their statements, to fix the bank details) and finance, once per failed attempt, with the reason', async () => {
    const { h, finA, finB } = w;
    const admin = await userWithToken(h.db, 'admin');
    const tag = randomUUID().slice(0, 8);
    const month = '2035-05';
    const hackerId = await w.payee('Failing Payee', 120_000, month);
    const payee = await userWithToken(h.db, 'hacker', { hackerId });
    const address = `payee-${hackerId}-${tag}@example.test`;
    expect((await h.app.inject({ method: 'PUT', url: '/v1/me/notification-preferences', headers: payee.auth, payload: { email: address, locale: 'ja' } })).statusCode).toBe(200);
    const start = await h.app.inject({ method: 'POST', url: '/v1/payout-runs', headers: finA.auth, payload: { month } });
    expect(start.statusCode, start.body).toBe(201);
    const runId: number = start.json().id;
    await eventually(async () => ((await h.db.selectFrom('payout_runs').select('status').where('id', '=', runId).executeTakeFirst())?.status === 'review' ? true : undefined), 90_000);
    const approve = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/approve`, headers: finB.auth });
    expect(approve.statusCode, approve.body).toBe(200);
    const item = await eventually(async () => (await h.db.selectFrom('payout_items').select(['id', 'status']).where('run_id', '=', runId).where('hacker_id', '=', hackerId).where('status', '=', 'handed_to_bank').executeTakeFirst()) ?? undefined, 90_000);
    const failed = await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/items/${item.id}/result`, headers: { ...finA.auth, 'idempotency-key': `fail-${tag}` }, payload: { outcome: 'failed', reason: '口座番号相違' } });
    expect(failed.statusCode, failed.body).toBe(200);

    const inbox = async () => (await h.app.inject({ method: 'GET', url: `/v1/dev/mailbox?to=${encodeURIComponent(address)}`, headers: admin.auth })).json().items as { subject: string; text: string }[];
    const [mail] = await eventually(async () => {
      const m = await inbox();
      return m.length ? m : undefined;
    }, 90_000);
    expect(mail!.subject).toBe(`振込が失敗しました（${month}）`);
    expect(mail!.text).toContain('口座番号相違');
    expect(mail!.text).toContain('/statements');
    const recipients = (await h.db.selectFrom('notification_deliveries').select('user_id').where('event_id', '=', `payout.transfer_failed:${item.id}:1`).execute()).map((d) => d.user_id);
    expect(recipients).toEqual(expect.arrayContaining([payee.user.id, finA.user.id, finB.user.id]));
    // Woken again (another result elsewhere, a reminder): the same attempt is not told twice.
    await h.app.inject({ method: 'POST', url: `/v1/payout-runs/${runId}/items/${item.id}/result`, headers: { ...finA.auth, 'idempotency-key': `fail-${tag}` }, payload: { outcome: 'failed', reason: '口座番号相違' } });
    expect(await inbox()).toHaveLength(1);
  }, 240_000);
});
