// Notifications: each person's preferences (per category: immediately / daily digest / off, their
// language, digest hour and address), the one-click unsubscribe of an e-mail's category (a signed
// link: public, RFC 8058 POST), the dev mailbox of the embedded SMTP server (admin; 404 when a real
// SMTP server is configured) and the deliveries that failed for good (admin).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLES } from '../../shared/actor.ts';
import { categoryName, message } from '../../notify/messages.ts';
import { modeRefusal, preferencesOf, setPreferences, unsubscribe, type Preferences } from '../../notify/preferences.ts';
import { readUnsubscribeToken } from '../../notify/unsubscribe.ts';
import { action } from '../access.ts';
import { badRequest, notFound } from '../errors.ts';
import { authErrors } from '../schemas/common.ts';
import { FailedDeliveries, Html, Mailbox, MailboxQuery, NotificationPreferences, PreferencesChange, Unsubscribed, UnsubscribeQuery } from '../schemas/notifications.ts';
import type { ApiDeps } from '../deps.ts';

const view = (p: Preferences) => ({ ...p, categories: p.categories.map((c) => ({ ...c, actions: { turn_off: action(modeRefusal(c.category, 'off')) } })) });

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const notificationRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config }) => {
  // One-click unsubscribe (RFC 8058) posts `List-Unsubscribe=One-Click` as a form; the token is in the URL.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));

  app.get(
    '/v1/me/notification-preferences',
    { config: { roles: ROLES }, schema: { tags: ['notifications'], summary: 'My notification preferences: per category, my language, digest hour and address', response: { 200: NotificationPreferences, ...authErrors } } },
    async (req) => view(await preferencesOf(db, req.user.id)),
  );

  app.put(
    '/v1/me/notification-preferences',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['notifications'],
        summary: 'Change my notification preferences',
        description: 'Payout approval (finance) and failed transfers cannot be turned off: `off` for them is a 400 naming /body/modes/<category>; a digest is allowed.',
        body: PreferencesChange,
        response: { 200: NotificationPreferences, ...authErrors },
      },
    },
    async (req) => view(await setPreferences(db, req.user.id, req.body)),
  );

  const unsubscribeTarget = async (token: string) => {
    const claim = readUnsubscribeToken(config, token);
    if (!claim) throw badRequest('the unsubscribe link is not valid', [{ path: '/querystring/token', message: 'is not a valid unsubscribe link' }]);
    const user = await db.selectFrom('users').select(['id', 'locale']).where('id', '=', claim.userId).executeTakeFirst();
    if (!user) throw notFound('user');
    return { ...claim, locale: user.locale };
  };

  app.get(
    '/mail/unsubscribe',
    {
      schema: {
        tags: ['notifications'],
        summary: "The unsubscribe link of an e-mail: a page asking to confirm (the link's signature names the person and category)",
        // Public: the signed link is the credential.
        security: [],
        querystring: UnsubscribeQuery,
        response: { 200: Html, 400: authErrors[400], 404: authErrors[404] },
      },
    },
    async (req, reply) => {
      const t = await unsubscribeTarget(req.query.token);
      const name = categoryName(t.locale, t.category);
      // Scanners follow links: a GET only asks; the form's POST turns the category off.
      return reply.type('text/html; charset=utf-8').send(
        `<!doctype html><html lang="${t.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Kaizen Desk</title></head><body><main><p>${escape(message(t.locale, 'unsubscribe.confirm', { category: name }))}</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escape(message(t.locale, 'unsubscribe.button'))}</button></form></main></body></html>`,
      );
    },
  );

  app.post(
    '/mail/unsubscribe',
    {
      schema: {
        tags: ['notifications'],
        summary: 'One-click unsubscribe (RFC 8058): turns the signed link\'s category off for its person',
        security: [],
        querystring: UnsubscribeQuery,
        response: { 200: Unsubscribed, 400: authErrors[400], 404: authErrors[404] },
      },
    },
    async (req, reply) => {
      const t = await unsubscribeTarget(req.query.token);
      await unsubscribe(db, t.userId, t.category);
      req.log.info({ userId: t.userId, category: t.category }, 'notifications unsubscribed');
      // The confirmation page's form (a browser) gets a page; a mail client's one-click POST the JSON.
      if (req.headers.accept?.includes('text/html')) {
        const page = `<!doctype html><html lang="${t.locale}"><head><meta charset="utf-8"><title>Kaizen Desk</title></head><body><main><p>${escape(message(t.locale, 'unsubscribe.done', { category: categoryName(t.locale, t.category) }))}</p></main></body></html>`;
        // A page instead of the JSON the schema types: sent as is (the serializer is bypassed).
        return reply.type('text/html; charset=utf-8').serializer(String).send(page as never);
      }
      return { category: t.category, mode: 'off' as const };
    },
  );

  app.get(
    '/v1/dev/mailbox',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['notifications'],
        summary: 'What the embedded SMTP server received, newest first (admin; 404 when SMTP_URL names a real server)',
        querystring: MailboxQuery,
        response: { 200: Mailbox, ...authErrors },
      },
    },
    async (req) => {
      if (!config.mail.embedded) throw notFound('mailbox');
      let q = db.selectFrom('mailbox_messages').selectAll().orderBy('id', 'desc').limit(req.query.limit ?? 100);
      const to = req.query.to;
      if (to) q = q.where((eb) => eb(eb.val(to), '=', eb.fn.any('rcpt_to')));
      const rows = await q.execute();
      return { items: rows.map((r) => ({ id: r.id, message_id: r.message_id, from: r.mail_from, to: r.rcpt_to, subject: r.subject, text: r.text, html: r.html, headers: r.headers, received_at: r.received_at })) };
    },
  );

  app.get(
    '/v1/notifications/failures',
    { config: { roles: ['admin'] }, schema: { tags: ['notifications'], summary: 'E-mails that failed for good (a refused address, every retry spent), newest first (admin)', response: { 200: FailedDeliveries, ...authErrors } } },
    async () => {
      const rows = await db
        .selectFrom('notification_deliveries as d')
        .innerJoin('notification_events as e', 'e.id', 'd.event_id')
        .select(['d.id', 'd.event_id', 'e.type as event_type', 'd.user_id', 'd.channel', 'd.attempts', 'd.last_error', 'd.created_at'])
        .where('d.status', '=', 'failed')
        .orderBy('d.id', 'desc')
        .limit(200)
        .execute();
      return { items: rows };
    },
  );
};
