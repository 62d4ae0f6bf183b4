// API tokens expire and can be revoked (through the API and the CLI). The API caches token → user for
// TOKEN_CACHE_MS (2 s): revocation in the same process is immediate, elsewhere it takes effect within
// the TTL, and a cached entry never outlives the token's expiry.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';

const run = promisify(execFile);
let h: Harness;
let admin: Awaited<ReturnType<typeof userWithToken>>;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  admin = await userWithToken(h.db, 'admin');
});
afterAll(() => h.close());

const me = async (authorization: string) => (await h.app.inject({ url: '/v1/me', headers: { authorization } })).statusCode;

describe('API tokens', () => {
  it('a created user gets a token with an expiry; an expired token is refused', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/v1/users', headers: admin.auth, payload: { name: 'Temp CS', role: 'cs_manager', token_days: 7 } });
    expect(res.statusCode, res.body).toBe(201);
    const { token, token_expires_at, id } = res.json();
    expect(Date.parse(token_expires_at) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(await me(`Bearer ${token}`)).toBe(200);
    await h.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', id).execute();
    // Changed behind the API's back (as another process would): refused once the cached entry ends.
    await eventually(async () => (await me(`Bearer ${token}`)) === 401, 10_000, 250);
    // A partner user must be bound to its partner: not created here.
    const partner = await h.app.inject({ method: 'POST', url: '/v1/users', headers: admin.auth, payload: { name: 'P', role: 'partner' } });
    expect(partner.statusCode).toBe(400);
  });

  it('DELETE /v1/tokens/:id revokes at once; users see and revoke only their own', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const other = await userWithToken(h.db, 'cs_manager');
    const mine = (await h.app.inject({ url: '/v1/tokens', headers: cs.auth })).json().items;
    expect(mine).toHaveLength(1);
    expect(JSON.stringify(mine)).not.toContain('token_hash');
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/tokens/${mine[0].id}`, headers: other.auth })).statusCode).toBe(404);
    const issued = (await h.app.inject({ method: 'POST', url: `/v1/users/${cs.user.id}/tokens`, headers: admin.auth, payload: { label: 'second', days: 1 } })).json();
    expect(await me(`Bearer ${issued.token}`)).toBe(200);
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/tokens/${mine[0].id}`, headers: cs.auth })).statusCode).toBe(200);
    expect(await me(cs.auth.authorization)).toBe(401);
    expect(await me(`Bearer ${issued.token}`)).toBe(200);
  });

  it('`kaizen users revoke --user` revokes every token of a user', async () => {
    const victim = await userWithToken(h.db, 'finance');
    const { stdout } = await run('npx', ['tsx', 'src/cli/main.ts', 'users', 'revoke', '--user', String(victim.user.id)], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), LOG_LEVEL: 'error' },
    });
    expect(stdout).toMatch(/revoked 1 token/);
    // Another process revoked it: this API refuses it within the token cache's TTL (2 s).
    const t0 = Date.now();
    await eventually(async () => (await me(victim.auth.authorization)) === 401, 10_000, 250);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
