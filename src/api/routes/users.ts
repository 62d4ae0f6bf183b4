import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { createUserWithToken } from '../../db/users.ts';
import { ROLES } from '../../db/schema.ts';
import { badRequest } from '../errors.ts';
import { authErrors, Id, Name, Nullable } from '../schemas/common.ts';
import type { ApiDeps } from '../app.ts';

const NewUser = Type.Object(
  {
    name: Name,
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    client_id: Type.Optional(Id),
    hacker_id: Type.Optional(Id),
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
});

const Me = Type.Object({ id: Id, name: Type.String(), role: Type.String(), client_id: Nullable(Id), hacker_id: Nullable(Id) });

export function userRoutes(app: FastifyInstance, { db }: ApiDeps) {
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
    { config: { roles: ['admin'] }, schema: { tags: ['users'], summary: 'Create a user and its API token, shown once (admin)', body: NewUser, response: { 201: Created, ...authErrors } } },
    async (req, reply) => {
      const details = await userBindingProblems(db, req.body);
      if (details.length) throw badRequest(`${details[0]!.path} ${details[0]!.message}`, details);
      const { user, token } = await createUserWithToken(db, {
        name: req.body.name,
        role: req.body.role,
        clientId: req.body.client_id ?? null,
        hackerId: req.body.hacker_id ?? null,
      });
      req.log.info({ newUserId: user.id, newRole: user.role }, 'user created');
      return reply.status(201).send({ ...user, token });
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
