// Request and response shapes of users and their API tokens.
import { Type } from 'typebox';
import { ROLES } from '../../shared/actor.ts';
import { Id, Name, Nullable, Timestamp } from './common.ts';

export const NewUser = Type.Object(
  {
    name: Name,
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    client_id: Type.Optional(Id),
    hacker_id: Type.Optional(Id),
    token_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'lifetime of the token (default KAIZEN_TOKEN_DAYS, 90)' })),
  },
  { additionalProperties: false, examples: [{ name: 'Aiko (CS)', role: 'cs_manager' }, { name: 'Shop owner', role: 'client', client_id: 1 }] },
);

export const Created = Type.Object({
  id: Id,
  name: Type.String(),
  role: Type.String(),
  client_id: Nullable(Id),
  hacker_id: Nullable(Id),
  token: Type.String({ description: 'shown once; only its hash is stored' }),
  token_expires_at: Nullable(Timestamp),
});
export const User = Type.Object({ id: Id, name: Type.String(), role: Type.String(), client_id: Nullable(Id), hacker_id: Nullable(Id), created_at: Timestamp });
export const Token = Type.Object({ id: Id, user_id: Id, label: Nullable(Type.String()), created_at: Timestamp, expires_at: Nullable(Timestamp), revoked_at: Nullable(Timestamp) });
export const IssuedToken = Type.Intersect([Token, Type.Object({ token: Type.String() })]);
export const NewToken = Type.Object(
  { label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) },
  { additionalProperties: false, examples: [{ label: 'site integration', days: 30 }] },
);
export const TokenQuery = { user_id: Type.Optional(Id) };
export const Revoked = Type.Object({ id: Id, revoked: Type.Boolean() });

export const Me = Type.Object({ id: Id, name: Type.String(), role: Type.String(), client_id: Nullable(Id), hacker_id: Nullable(Id) });
