// test.no_traffic (issues 26/27): a running test that has had no exposure for KAIZEN_NO_TRAFFIC_HOURS
// (24 by default) is reported to its CS manager by e-mail at the next interim check — once, however
// many checks follow — instead of running silently to an invalid verdict.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('test.no_traffic', () => {
  it('e-mails the CS manager once when a running test has had no visitor for a day', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const admin = await userWithToken(h.db, 'admin');
    const address = `cs-${cs.user.id}-${Date.now()}@example.test`;
    expect((await h.app.inject({ method: 'PUT', url: '/v1/me/notification-preferences', headers: cs.auth, payload: { email: address, locale: 'en' } })).statusCode).toBe(200);
    const d = cycleDriver(h, cs);
    const { test, e } = await d.runToTest({ test_max_seconds: 600 });
    const events = () => h.db.selectFrom('notification_events').select('id').where('id', '=', `test.no_traffic:${test.id}`).execute();
    // Checks run every 2 s; with the test only just started nothing is reported.
    await eventually(async () => ((await h.db.selectFrom('verdicts').select('id').where('test_id', '=', test.id).execute()).length >= 2 ? true : undefined), 60_000);
    expect(await events()).toEqual([]);
    // A day and an hour without a visitor.
    await sql`update tests set started_at = now() - interval '25 hours' where id = ${test.id}`.execute(h.db);
    // CS gets the cycle's other mail too (selection due…): only this event's.
    const inbox = async () =>
      ((await h.app.inject({ url: `/v1/dev/mailbox?to=${encodeURIComponent(address)}`, headers: admin.auth })).json().items as { subject: string; text: string }[]).filter((m) => /no traffic/.test(m.subject));
    const [mail] = await eventually(async () => {
      const m = await inbox();
      return m.length ? m : undefined;
    }, 60_000);
    expect(mail!.subject).toBe(`Test #${test.id} has no traffic`);
    expect(mail!.text).toContain(`/tests/${test.id}`);
    // More checks follow; the event and its e-mail stay one.
    const checks = (await h.db.selectFrom('verdicts').select('id').where('test_id', '=', test.id).execute()).length;
    await eventually(async () => ((await h.db.selectFrom('verdicts').select('id').where('test_id', '=', test.id).execute()).length >= checks + 2 ? true : undefined), 60_000);
    expect(await events()).toHaveLength(1);
    expect(await inbox()).toHaveLength(1);
    await h.app.inject({ method: 'POST', url: `/v1/engagements/${e.id}/end`, headers: cs.auth, payload: { mode: 'immediately', reason: 'no-traffic test over' } });
  }, 240_000);
});
