import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../shared/actor.ts';
import { createUserWithToken, revokeTokens, userBindingProblems } from '../db/users.ts';
import { loadConfig } from '../config.ts';
import { ValidationError } from '../domain/errors.ts';
import { withDatabase } from './database.ts';

const USAGE = `usage: kaizen users create --role <role> --name <name> [--client <id>] [--hacker <id>]
       kaizen users revoke --token <token id> | --user <user id>
`;

// `kaizen users create …` prints the new token once; `kaizen users revoke …` revokes tokens at once.
export async function users(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'revoke') return revoke(rest);
  if (sub !== 'create') {
    process.stderr.write(USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { role: { type: 'string' }, name: { type: 'string' }, client: { type: 'string' }, hacker: { type: 'string' } },
    strict: true,
  });
  const details = [];
  const role = values.role as Role | undefined;
  if (!role || !ROLES.includes(role)) details.push({ path: '--role', message: `must be one of ${ROLES.join(', ')}` });
  if (!values.name?.trim()) details.push({ path: '--name', message: 'is required' });
  const id = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^[1-9]\d*$/.test(v)) details.push({ path: flag, message: 'must be a positive integer id' });
    return Number(v);
  };
  const clientId = id('--client', values.client);
  const hackerId = id('--hacker', values.hacker);
  if (details.length) throw new ValidationError(details.map((d) => `${d.path} ${d.message}`).join('; '), details);

  return withDatabase(async (db) => {
    const problems = await userBindingProblems(
      db,
      { role: role!, ...(clientId ? { client_id: clientId } : {}), ...(hackerId ? { hacker_id: hackerId } : {}) },
      '',
    );
    const mapped = problems.map((p) => ({ path: p.path === '/client_id' ? '--client' : '--hacker', message: p.message }));
    if (mapped.length) throw new ValidationError(mapped.map((d) => `${d.path} ${d.message}`).join('; '), mapped);
    const tokenExpiresAt = new Date(Date.now() + loadConfig().tokenDays * 86_400_000);
    const { user, token } = await createUserWithToken(db, {
      name: values.name!.trim(),
      role: role!,
      clientId: clientId ?? null,
      hackerId: hackerId ?? null,
      tokenExpiresAt,
    });
    process.stdout.write(`created user ${user.id} (${user.role}). API token (shown once, valid until ${tokenExpiresAt.toISOString()}):\n${token}\n`);
    return 0;
  });
}

async function revoke(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { token: { type: 'string' }, user: { type: 'string' } }, strict: true });
  const which = values.token ?? values.user;
  if ((values.token === undefined) === (values.user === undefined) || !/^[1-9]\d*$/.test(which ?? '')) {
    throw new ValidationError('give exactly one of --token <id> or --user <id> (a positive integer id)', [{ path: values.token ? '--token' : '--user', message: 'must be a positive integer id' }]);
  }
  return withDatabase(async (db) => {
    const n = await revokeTokens(db, values.token ? { tokenId: Number(values.token) } : { userId: Number(values.user) }, null);
    process.stdout.write(`revoked ${n} token${n === 1 ? '' : 's'}\n`);
    return 0;
  });
}
