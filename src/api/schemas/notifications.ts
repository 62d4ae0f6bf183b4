// Request and response shapes of notification preferences, the one-click unsubscribe, the dev mailbox
// and the failed deliveries admins see.
import { Type } from 'typebox';
import { CATEGORIES, type Category as CategoryName } from '../../notify/catalogue.ts';
import { Actions, Id, Nullable, Timestamp } from './common.ts';

export const Mode = Type.Union([Type.Literal('immediate'), Type.Literal('digest'), Type.Literal('off')], { description: 'immediately, in the daily digest, or off' });
export const Category = Type.Unsafe<CategoryName>(Type.Union(CATEGORIES.map((c) => Type.Literal(c))));
export const Locale = Type.Union([Type.Literal('ja'), Type.Literal('en')]);
const Email = Type.String({ format: 'email', maxLength: 254 });
const Hour = Type.Integer({ minimum: 0, maximum: 23, description: 'local hour (Asia/Tokyo) of the daily digest' });

export const NotificationPreferences = Type.Object({
  email: Nullable(Email),
  locale: Locale,
  digest_hour: Hour,
  categories: Type.Array(
    Type.Object({
      category: Category,
      mode: Mode,
      locked: Type.Boolean({ description: 'cannot be turned off (a digest is allowed)' }),
      actions: Actions(['turn_off'] as const),
    }),
  ),
});

export const PreferencesChange = Type.Object(
  {
    email: Type.Optional(Nullable(Email)),
    locale: Type.Optional(Locale),
    digest_hour: Type.Optional(Hour),
    modes: Type.Optional(Type.Object(Object.fromEntries(CATEGORIES.map((c) => [c, Type.Optional(Mode)])), { additionalProperties: false })),
  },
  { additionalProperties: false, examples: [{ locale: 'en', digest_hour: 8, modes: { offers: 'digest', invoices: 'off' } }] },
);

export const UnsubscribeQuery = Type.Object({ token: Type.String({ minLength: 10, maxLength: 300 }) }, { additionalProperties: false });
export const Unsubscribed = Type.Object({ category: Category, mode: Mode });
export const Html = Type.String({ description: 'an HTML page (text/html)' });

export const MailboxQuery = Type.Object(
  { to: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'only messages to this address' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  { additionalProperties: false },
);
export const MailboxMessage = Type.Object({
  id: Id,
  message_id: Type.String(),
  from: Type.String(),
  to: Type.Array(Type.String()),
  subject: Type.String(),
  text: Type.String(),
  html: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  received_at: Timestamp,
});
export const Mailbox = Type.Object({ items: Type.Array(MailboxMessage) });

export const FailedDelivery = Type.Object({
  id: Id,
  event_id: Type.String(),
  event_type: Type.String(),
  user_id: Id,
  channel: Type.String(),
  attempts: Type.Integer(),
  last_error: Nullable(Type.String()),
  created_at: Timestamp,
});
export const FailedDeliveries = Type.Object({ items: Type.Array(FailedDelivery) });
