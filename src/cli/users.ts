import { parseArgs } from 'node:util';
import { userBindingProblems } from '../api/routes/users.ts';
import { ROLES, type Role } from '../db/schema.ts';
import { createUserWithToken } from '../db/users.ts';
import { ValidationError } from '../domain/errors.ts';
import { withDatabase } from './database.ts';

// `kaizen users create --role R --name N [--client ID] [--hacker ID]`: prints the token once.
export async function users(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    process.stderr.write('usage: kaizen users create --role <role> --name <name> [--client <id>] [--hacker <id>]\n');
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
    const { user, token } = await createUserWithToken(db, {
      name: values.name!.trim(),
      role: role!,
      clientId: clientId ?? null,
      hackerId: hackerId ?? null,
    });
    process.stdout.write(`created user ${user.id} (${user.role}). API token (shown once):\n${token}\n`);
    return 0;
  });
}
