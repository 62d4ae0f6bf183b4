// Emitting an event: record it once under its stable id, then one delivery per recipient and channel
// (e-mail now, or the daily digest, or none when they turned the category off). Both inserts are
// idempotent, so a retried activity or a replayed workflow adds nothing twice.
import type { Db } from '../db/index.ts';
import type { NotificationEvent } from './types.ts';
import { entryOf } from './catalogue.ts';
import { effectiveMode, modesOf } from './preferences.ts';

/** Records the event and its deliveries; answers the ids of its e-mail deliveries still to send. */
export async function emitNotification(db: Db, event: NotificationEvent): Promise<number[]> {
  const entry = entryOf(event.type);
  await db
    .insertInto('notification_events')
    .values({ id: event.id, type: event.type, client_id: event.clientId, occurred_at: event.occurredAt, data: JSON.stringify(event.data) })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const recipients = [...new Set(await entry.recipients(db, event.data))];
  const modes = await modesOf(db, recipients);
  const rows = recipients.flatMap((userId) => {
    const mode = effectiveMode(entry.category, modes.get(`${userId}:${entry.category}`));
    return mode === 'off' ? [] : [{ event_id: event.id, user_id: userId, channel: mode === 'digest' ? ('digest' as const) : ('email' as const) }];
  });
  if (rows.length) {
    await db.insertInto('notification_deliveries').values(rows).onConflict((oc) => oc.columns(['event_id', 'user_id', 'channel']).doNothing()).execute();
  }
  const pending = await db
    .selectFrom('notification_deliveries')
    .select('id')
    .where('event_id', '=', event.id)
    .where('channel', '=', 'email')
    .where('status', '=', 'pending')
    .orderBy('id')
    .execute();
  return pending.map((p) => p.id);
}
