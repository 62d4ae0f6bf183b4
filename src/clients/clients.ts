// Clients: the companies an engagement improves. Reads are scoped by the caller's client when given.
import type { Db } from '../db/index.ts';

export function createClient(db: Db, input: { name: string; industry: string }) {
  return db.insertInto('clients').values(input).returningAll().executeTakeFirstOrThrow();
}

/** A page by id; `clientId` narrows it to that one client (a client user's own). */
export function listClients(db: Db, f: { clientId?: number; afterId?: number; limit: number }) {
  let q = db.selectFrom('clients').selectAll().orderBy('id').limit(f.limit);
  if (f.clientId !== undefined) q = q.where('id', '=', f.clientId);
  if (f.afterId) q = q.where('id', '>', f.afterId);
  return q.execute();
}

export function getClient(db: Db, id: number) {
  return db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function clientExists(db: Db, id: number): Promise<boolean> {
  return !!(await db.selectFrom('clients').select('id').where('id', '=', id).executeTakeFirst());
}
