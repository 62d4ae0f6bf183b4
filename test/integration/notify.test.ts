// Notifications on real Postgres, Temporal and SMTP (the embedded server the harness runs, read through
// the dev mailbox API): a targeted offer e-mails exactly its invited hackers, in each one's language,
// with the page and a one-click unsubscribe; a muted category sends nothing; the unsubscribe link turns
// the category off; the deadline reminder goes out once though the worker restarts; a digest gathers
// the day's events once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokyoHourOf } from '../../src/domain/months.ts';
import { notificationDigestWorkflow } from '../../src/workflows/notify.ts';
import { cycleDriver } from '../cycle-driver.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let admin: Awaited<ReturnType<typeof userWithToken>>;
let d: ReturnType<typeof cycleDriver>;
const ended: { id: number }[] = [];
beforeAll(async () => {
  h = await createHarness();
  cs = await userWithToken(h.db, 'cs_manager');
  admin = await userWithToken(h.db, 'admin');
  d = cycleDriver(h, cs);
});
afterAll(async () => {
  for (const e of ended) await d.call('POST', `/v1/engagements/${e.id}/end`, cs.auth, { mode: 'immediately', reason: 'test over' });
  await h.close();
});

interface Mail {
  id: number;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}
const mailbox = async (to: string): Promise<Mail[]> => (await d.api('GET', `/v1/dev/mailbox?to=${encodeURIComponent(to)}`, admin.auth)).items;

describe('e-mail notifications from a cycle', () => {
  it('a targeted offer e-mails exactly its invited hackers (muted: none, digest: later), unsubscribe works, the reminder goes out once across a worker restart, the digest gathers both', async () => {
    const skill = `s${randomUUID().slice(0, 8)}`;
    // Newcomers tie: the four lowest ids are invited (top 4), the fifth is left below the cut.
    const [a, b, c, dig, out] = [await d.hacker([skill]), await d.hacker([skill]), await d.hacker([skill]), await d.hacker([skill]), await d.hacker([skill])];
    const email = (x: { id: number }) => `hacker-${x.id}-${skill}@example.test`;
    for (const x of [a, b, c, dig, out]) await d.api('PUT', '/v1/me/notification-preferences', x.auth, { email: email(x) });
    await d.api('PUT', '/v1/me/notification-preferences', b.auth, { locale: 'en' });
    await d.api('PUT', '/v1/me/notification-preferences', c.auth, { modes: { offers: 'off' } });
    const hour = tokyoHourOf(Date.now());
    await d.api('PUT', '/v1/me/notification-preferences', dig.auth, { modes: { offers: 'digest' }, digest_hour: hour });
    // A category that cannot be turned off is refused, naming the field.
    const locked = await d.call('PUT', '/v1/me/notification-preferences', a.auth, { modes: { transfers: 'off' } });
    expect(locked.status).toBe(400);
    expect(locked.body.error.details[0].path).toBe('/body/modes/transfers');

    const ctx = await d.startEngagement({ planning_seconds: 60, offer_window_seconds: 40, selection_seconds: 60, min_proposals: 1, targeted_top_n: 4 });
    ended.push(ctx.e);
    await d.api('POST', `/v1/cycles/${ctx.cycleId}/plan`, cs.auth, {
      hypotheses: [{ author: 'cs', problem: 'Checkout asks too much', page_id: ctx.pages[0].id, metric: 'conversion', skills: [skill], offer_kind: 'targeted' }],
    });
    const offer = await eventually(async () => (await h.db.selectFrom('offers').selectAll().where('cycle_id', '=', ctx.cycleId).executeTakeFirst()) ?? undefined);
    const invited = (await d.api('GET', `/v1/offers/${offer.id}/invitations`, cs.auth)).invited.map((i: { hacker_id: number }) => i.hacker_id);
    expect(invited).toEqual([a.id, b.id, c.id, dig.id]);

    // offer.published: e-mailed to the invited who want it now — not the muted one, not the one left out.
    const [toA] = await eventually(async () => {
      const m = await mailbox(email(a));
      return m.length ? m : undefined;
    }, 60_000);
    const [toB] = await eventually(async () => {
      const m = await mailbox(email(b));
      return m.length ? m : undefined;
    }, 60_000);
    expect(toA!.subject).toBe(`新しいオファー #${offer.id} に招待されました`);
    expect(toB!.subject).toBe(`You are invited to offer #${offer.id}`);
    const link = `http://localhost:${h.config.port}/offers/${offer.id}`;
    expect(toB!.text).toContain(link);
    expect(toB!.html).toContain(`href="${link}"`);
    expect(toB!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const published = await h.db.selectFrom('notification_deliveries').select(['user_id', 'channel', 'status']).where('event_id', '=', `offer.published:${offer.id}`).orderBy('user_id').execute();
    expect(published.map((p) => [p.user_id, p.channel])).toEqual([
      [a.user.id, 'email'],
      [b.user.id, 'email'],
      [dig.user.id, 'digest'],
    ]);
    expect(await mailbox(email(c))).toEqual([]);
    expect(await mailbox(email(out))).toEqual([]);

    // A unsubscribes with the one-click link of that e-mail: offers are off for A.
    const unsub = new URL(/<([^>]+)>/.exec(toA!.headers['list-unsubscribe']!)![1]!);
    const forged = await h.app.inject({ method: 'POST', url: `${unsub.pathname}?token=${unsub.searchParams.get('token')!.slice(0, -2)}xx`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(forged.statusCode, forged.body).toBe(400);
    const one = await h.app.inject({ method: 'POST', url: `${unsub.pathname}${unsub.search}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(one.statusCode, one.body).toBe(200);
    const prefs = await d.api('GET', '/v1/me/notification-preferences', a.auth);
    expect(prefs.categories.find((x: { category: string }) => x.category === 'offers').mode).toBe('off');

    // B proposes (the window closes without widening). The reminder (half the 40 s window before the
    // deadline) reaches B; the worker then dies and a new one replays the cycle: no second reminder.
    await d.api('POST', `/v1/offers/${offer.id}/proposals`, b.auth, { title: 'Fewer fields', description: 'd', design_url: 'https://figma.example/f' });
    const reminderTo = async (x: { id: number }) => (await mailbox(email(x))).filter((m) => m.subject.includes('closes soon') || m.subject.includes('締切が近づいています'));
    await eventually(async () => (await reminderTo(b)).length > 0, 90_000);
    await h.stopWorkers();
    await h.startWorker();
    await eventually(async () => (await d.phaseOf(ctx.cycleId)) === 'selection', 120_000);
    expect((await reminderTo(b)).map((m) => m.subject)).toEqual([`Offer #${offer.id} closes soon`]);
    expect(await reminderTo(a)).toEqual([]); // unsubscribed
    expect(await reminderTo(c)).toEqual([]); // muted
    expect(await mailbox(email(dig))).toEqual([]); // gathered for the digest
    expect(await mailbox(email(out))).toEqual([]);

    // The digest at dig's hour: one message with both events; the next one finds nothing and sends nothing.
    const run = () => h.temporal.workflow.execute(notificationDigestWorkflow, { taskQueue: h.config.taskQueue, workflowId: `digest-${randomUUID()}`, args: [{ at: Date.now() }] });
    await run();
    const digest = await mailbox(email(dig));
    expect(digest).toHaveLength(1);
    expect(digest[0]!.subject).toBe('本日のまとめ（2 件）');
    expect(digest[0]!.text).toContain(`新しいオファー #${offer.id} に招待されました`);
    expect(digest[0]!.text).toContain(`オファー #${offer.id} の締切が近づいています`);
    await run();
    expect(await mailbox(email(dig))).toHaveLength(1);
  });
});
