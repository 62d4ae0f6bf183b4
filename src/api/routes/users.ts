// Users and their API tokens: admins create users (the token is shown once) and issue or revoke
// tokens; everyone may see who they are and revoke their own tokens.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { createUserWithToken, issueToken, listTokens, revokeTokens } from '../../db/users.ts';
import { ROLES } from '../../shared/actor.ts';
import { badRequest, notFound } from '../errors.ts';
import { authErrors, Id, IdParams, Name, nextAfter, Nullable, PagedQuery, PageOf, Timestamp } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

const NewUser = Type.Object(
  {
    name: Name,
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    client_id: Type.Optional(Id),
    hacker_id: Type.Optional(Id),
    token_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'lifetime of the token (default KAIZEN_TOKEN_DAYS, 90)' })),
  },
  { additionalProperties: false, examples: [{ name: 'Aiko (CS)', role: 'cs_manager' }, { name: 'Shop owner', role: 'client', client_id: 1 }] },
);

const Created = Type.Object({
  id: Id,
  name: Type.String(),
  role: Type.String(),
  client_id: Nullable(Id),
  hacker_id: Nullable(Id),
  token: Type.String({ description: 'shown once; only its hash is stored' }),
  token_expires_at: Nullable(Timestamp),
});
const User = Type.Object({ id: Id, name: Type.String(), role: Type.String(), client_id: Nullable(Id), hacker_id: Nullable(Id), created_at: Timestamp });
const Token = Type.Object({ id: Id, user_id: Id, label: Nullable(Type.String()), created_at: Timestamp, expires_at: Nullable(Timestamp), revoked_at: Nullable(Timestamp) });
const NewToken = Type.Object(
  { label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) },
  { additionalProperties: false, examples: [{ label: 'site integration', days: 30 }] },
);

const Me = Type.Object({ id: Id, name: Type.String(), role: Type.String(), client_id: Nullable(Id), hacker_id: Nullable(Id) });

export function userRoutes(app: FastifyInstance, { db, config }: ApiDeps) {
  const expiry = (days?: number) => new Date(Date.now() + (days ?? config.tokenDays) * 86_400_000);

  app.get(
    '/v1/me',
    {
      config: { roles: ROLES },
      schema: { tags: ['users'], summary: 'Who I am: my user, role and the client or hacker I am bound to', response: { 200: Me, ...authErrors } },
    },
    async (req) => ({ id: req.user.id, name: req.user.name, role: req.user.role, client_id: req.user.client_id, hacker_id: req.user.hacker_id }),
  );

  app.post<{ Body: Static<typeof NewUser> }>(
    '/v1/users',
    { config: { roles: ['admin'], idempotency: 'secret' }, schema: { tags: ['users'], summary: 'Create a user and its API token, shown once (admin)', body: NewUser, response: { 201: Created, ...authErrors } } },
    async (req, reply) => {
      const details = await userBindingProblems(db, req.body);
      if (req.body.role === 'partner') details.push({ path: '/body/role', message: 'partner users are created with POST /v1/partners/:id/users (bound to their partner)' });
      if (details.length) throw badRequest(`${details[0]!.path} ${details[0]!.message}`, details);
      const tokenExpiresAt = expiry(req.body.token_days);
      const { user, token } = await createUserWithToken(db, {
        name: req.body.name,
        role: req.body.role,
        clientId: req.body.client_id ?? null,
        hackerId: req.body.hacker_id ?? null,
        tokenExpiresAt,
      });
      req.log.info({ newUserId: user.id, newRole: user.role }, 'user created');
      return reply.status(201).send({ ...user, token, token_expires_at: tokenExpiresAt });
    },
  );

  app.get<{ Querystring: { limit?: number; after_id?: number } }>(
    '/v1/users',
    { config: { roles: ['admin'] }, schema: { tags: ['users'], summary: 'List users (admin), newest first', querystring: PagedQuery({}), response: { 200: PageOf(User), ...authErrors } } },
    async (req) => {
      const limit = req.query.limit ?? 100;
      // Newest first: the user an admin just created is on the first page.
      let q = db.selectFrom('users').select(['id', 'name', 'role', 'client_id', 'hacker_id', 'created_at']).orderBy('id', 'desc').limit(limit);
      if (req.query.after_id) q = q.where('id', '<', req.query.after_id);
      const items = await q.execute();
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.get<{ Querystring: { user_id?: number; limit?: number; after_id?: number } }>(
    '/v1/tokens',
    {
      config: { roles: ROLES },
      schema: { tags: ['users'], summary: 'API tokens (admin: anyone\'s; others: their own), never the secret', querystring: PagedQuery({ user_id: Type.Optional(Id) }), response: { 200: PageOf(Token), ...authErrors } },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const userId = req.user.role === 'admin' ? req.query.user_id : req.user.id;
      const items = await listTokens(db, { userId, afterId: req.query.after_id, limit });
      return { items, next_after_id: nextAfter(items, limit) };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof NewToken> }>(
    '/v1/users/:id/tokens',
    {
      config: { roles: ['admin'], idempotency: 'secret' },
      schema: { tags: ['users'], summary: 'Issue another token for a user, shown once (admin)', params: IdParams, body: NewToken, response: { 201: Type.Intersect([Token, Type.Object({ token: Type.String() })]), ...authErrors } },
    },
    async (req, reply) => {
      const user = await db.selectFrom('users').select('id').where('id', '=', req.params.id).executeTakeFirst();
      if (!user) throw notFound('user');
      const issued = await issueToken(db, user.id, { label: req.body.label ?? null, expiresAt: expiry(req.body.days) });
      req.log.info({ tokenId: issued.id, forUserId: user.id }, 'token issued');
      return reply.status(201).send(issued);
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/v1/tokens/:id',
    {
      config: { roles: ROLES },
      schema: { tags: ['users'], summary: 'Revoke a token (admin: any; others: their own); takes effect at once', params: IdParams, response: { 200: Type.Object({ id: Id, revoked: Type.Boolean() }), ...authErrors } },
    },
    async (req) => {
      const token = await db.selectFrom('api_tokens').select(['id', 'user_id']).where('id', '=', req.params.id).executeTakeFirst();
      if (!token || (req.user.role !== 'admin' && token.user_id !== req.user.id)) throw notFound('token');
      await revokeTokens(db, { tokenId: token.id }, req.user.id);
      req.log.info({ tokenId: token.id }, 'token revoked');
      return { id: token.id, revoked: true };
    },
  );
}

/** A client user needs an existing client; a hacker user an existing hacker; others neither. */
export async function userBindingProblems(
  db: ApiDeps['db'],
  u: { role: string; client_id?: number; hacker_id?: number },
  prefix = '/body',
) {
  const details: { path: string; message: string }[] = [];
  const check = async (field: 'client_id' | 'hacker_id', table: 'clients' | 'hackers', role: string) => {
    const value = u[field];
    if (u.role === role) {
      if (value === undefined) details.push({ path: `${prefix}/${field}`, message: `is required for role ${role}` });
      else if (!(await db.selectFrom(table).select('id').where('id', '=', value).executeTakeFirst())) {
        details.push({ path: `${prefix}/${field}`, message: `no such ${table.slice(0, -1)}` });
      }
    } else if (value !== undefined) {
      details.push({ path: `${prefix}/${field}`, message: `only allowed for role ${role}` });
    }
  };
  await check('client_id', 'clients', 'client');
  await check('hacker_id', 'hackers', 'hacker');
  return details;
}
