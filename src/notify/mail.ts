// E-mail through SMTP (nodemailer): one message per delivery, multipart text + HTML in the recipient's
// language, with the exact page to open and a one-click unsubscribe for the event's category
// (RFC 8058: List-Unsubscribe + List-Unsubscribe-Post). The Message-ID is the delivery's, so a send
// repeated after a crash (the SMTP server took it, the row was not yet marked) is the same message;
// the embedded mailbox keeps it once.
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { tokyoHourOf } from '../domain/months.ts';
import { entryOf, LOCKED_CATEGORIES, type Category } from './catalogue.ts';
import { categoryName, message, type Locale } from './messages.ts';
import { unsubscribeToken } from './unsubscribe.ts';

export type MailConfig = Pick<Config, 'mail' | 'preview' | 'databaseUrl' | 'dataDir'>;

export function createTransport(config: Pick<Config, 'mail'>): Transporter {
  if (!config.mail.smtpUrl) throw new Error('no SMTP server: set SMTP_URL, or start the stack (it runs the embedded one)');
  return nodemailer.createTransport(config.mail.smtpUrl);
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Item {
  subject: string;
  body: string;
  url: string;
}

function unsubscribeUrl(config: MailConfig, userId: number, category: Category) {
  return `${config.mail.publicUrl}/mail/unsubscribe?token=${unsubscribeToken(config, userId, category)}`;
}

/** One e-mail: its items (one, or a digest's), the footer and the unsubscribe link of `category`. */
function compose(config: MailConfig, locale: Locale, userId: number, items: Item[], opts: { subject: string; intro?: string; category?: Category }) {
  const unsub = opts.category && !LOCKED_CATEGORIES.includes(opts.category) ? unsubscribeUrl(config, userId, opts.category) : undefined;
  const open = message(locale, 'mail.open');
  const footer = [message(locale, 'mail.footer'), ...(unsub ? [`${message(locale, 'mail.unsubscribe')}: ${unsub}`] : opts.category ? [message(locale, 'mail.unsubscribe.locked')] : [])];
  const text = [...(opts.intro ? [opts.intro, ''] : []), ...items.flatMap((i) => [...(items.length > 1 ? [`■ ${i.subject}`] : []), i.body, `${open}: ${i.url}`, '']), '--', ...footer].join('\n');
  const html = `<!doctype html><html lang="${locale}"><body>${opts.intro ? `<p>${escape(opts.intro)}</p>` : ''}${items
    .map((i) => `${items.length > 1 ? `<h3>${escape(i.subject)}</h3>` : ''}<p>${escape(i.body)}</p><p><a href="${escape(i.url)}">${escape(open)}</a></p>`)
    .join('')}<hr><p>${escape(message(locale, 'mail.footer'))}</p>${
    unsub ? `<p><a href="${escape(unsub)}">${escape(message(locale, 'mail.unsubscribe'))}</a></p>` : opts.category ? `<p>${escape(message(locale, 'mail.unsubscribe.locked'))}</p>` : ''
  }</body></html>`;
  return {
    subject: opts.subject,
    text,
    html,
    headers: unsub ? { 'List-Unsubscribe': `<${unsub}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : undefined,
  };
}

function itemOf(config: MailConfig, locale: Locale, role: Parameters<ReturnType<typeof entryOf>['link']>[1], type: string, data: Record<string, unknown>): Item {
  const entry = entryOf(type);
  return { subject: message(locale, entry.subject, data), body: message(locale, entry.body, data), url: `${config.mail.publicUrl}${entry.link(data, role)}` };
}

/** Why an SMTP failure will not get better by retrying (a 5xx answer: the address or message is refused). */
const isPermanent = (err: unknown) => typeof (err as { responseCode?: unknown }).responseCode === 'number' && (err as { responseCode: number }).responseCode >= 500;

/**
 * Sends one pending e-mail delivery. A temporary failure throws (the activity retries with backoff);
 * a permanent one — or the last attempt (`final`) — is recorded as failed (admins see it) and returns.
 */
export async function sendDelivery(db: Db, transport: Transporter, config: MailConfig, deliveryId: number, final = false): Promise<'sent' | 'failed' | 'no_address' | 'done'> {
  const d = await db
    .selectFrom('notification_deliveries as d')
    .innerJoin('notification_events as e', 'e.id', 'd.event_id')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .select(['d.id', 'd.status', 'd.user_id', 'e.type', 'e.data', 'u.email', 'u.locale', 'u.role'])
    .where('d.id', '=', deliveryId)
    .executeTakeFirstOrThrow();
  if (d.status !== 'pending') return 'done';
  if (!d.email) {
    await db.updateTable('notification_deliveries').set({ status: 'no_address' }).where('id', '=', d.id).execute();
    return 'no_address';
  }
  const item = itemOf(config, d.locale, d.role, d.type, d.data);
  const mail = compose(config, d.locale, d.user_id, [item], { subject: item.subject, category: entryOf(d.type).category });
  try {
    await transport.sendMail({ from: config.mail.from, to: d.email, messageId: `<notification-${d.id}@kaizen-desk>`, ...mail });
  } catch (err) {
    const failed = final || isPermanent(err);
    await db
      .updateTable('notification_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: String((err as Error).message ?? err).slice(0, 500), ...(failed ? { status: 'failed' as const } : {}) }))
      .where('id', '=', d.id)
      .execute();
    if (failed) return 'failed';
    throw err;
  }
  await db.updateTable('notification_deliveries').set((eb) => ({ status: 'sent', sent_at: new Date(), attempts: eb('attempts', '+', 1) })).where('id', '=', d.id).where('status', '=', 'pending').execute();
  return 'sent';
}

/**
 * One person's daily digest: every delivery gathered for it since the last one, in one message;
 * nothing gathered, nothing sent. The Message-ID names the deliveries, so a retry is the same message.
 */
export async function sendDigest(db: Db, transport: Transporter, config: MailConfig, userId: number): Promise<number> {
  const user = await db.selectFrom('users').select(['email', 'locale', 'role']).where('id', '=', userId).executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('notification_deliveries as d')
    .innerJoin('notification_events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'e.type', 'e.data'])
    .where('d.user_id', '=', userId)
    .where('d.channel', '=', 'digest')
    .where('d.status', '=', 'pending')
    .orderBy('e.occurred_at')
    .orderBy('d.id')
    .execute();
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);
  if (!user.email) {
    await db.updateTable('notification_deliveries').set({ status: 'no_address' }).where('id', 'in', ids).execute();
    return 0;
  }
  const items = rows.map((r) => itemOf(config, user.locale, user.role, r.type, r.data));
  const mail = compose(config, user.locale, userId, items, { subject: message(user.locale, 'digest.subject', { count: items.length }), intro: message(user.locale, 'digest.intro') });
  await transport.sendMail({ from: config.mail.from, to: user.email, messageId: `<digest-${userId}-${ids[0]}-${ids.at(-1)}@kaizen-desk>`, ...mail });
  await db.updateTable('notification_deliveries').set((eb) => ({ status: 'sent', sent_at: new Date(), attempts: eb('attempts', '+', 1) })).where('id', 'in', ids).where('status', '=', 'pending').execute();
  return rows.length;
}

/** The digests due at `at`: everyone whose chosen local hour it is and who has something gathered. */
export async function sendDueDigests(db: Db, transport: Transporter, config: MailConfig, at: number): Promise<{ users: number; items: number }> {
  const hour = tokyoHourOf(at);
  const due = await db
    .selectFrom('users')
    .select('users.id')
    .where('digest_hour', '=', hour)
    .where((eb) => eb.exists(eb.selectFrom('notification_deliveries as d').select('d.id').whereRef('d.user_id', '=', 'users.id').where('d.channel', '=', 'digest').where('d.status', '=', 'pending')))
    .orderBy('users.id')
    .execute();
  let items = 0;
  for (const u of due) items += await sendDigest(db, transport, config, u.id);
  return { users: due.length, items };
}

export { categoryName };
