// Browser sessions through the real API: a token is exchanged once for an httpOnly, SameSite=Strict
// cookie backed by a server-side row; the cookie authenticates like the token; a state-changing
// cookie request needs this site's Origin; sign-out revokes the row. And the UI is served at `/`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createDb } from '../../src/db/index.ts';
import { hashToken } from '../../src/db/users.ts';
import { createLogger } from '../../src/logger.ts';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(() => h.close());

const cookieOf = (setCookie: string | string[] | undefined) => {
  const raw = Array.isArray(setCookie) ? setCookie[0]! : setCookie!;
  return { raw, pair: raw.split(';')[0]! };
};

describe('browser sessions', () => {
  it('exchanges a token for an httpOnly SameSite=Strict cookie that the API accepts, and sign-out revokes it', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const res = await h.app.inject({ method: 'POST', url: '/v1/session', headers: cs.auth });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ id: cs.user.id, role: 'cs_manager' });
    expect(res.json().temporal_ui_url).toBeNull();
    const { raw, pair } = cookieOf(res.headers['set-cookie']);
    expect(raw).toMatch(/^kaizen_session=kzs_/);
    expect(raw).toMatch(/HttpOnly/i);
    expect(raw).toMatch(/SameSite=Strict/i);
    expect(raw).toMatch(/Path=\//);
    expect(raw).not.toContain(cs.token);

    const me = await h.app.inject({ url: '/v1/session', headers: { cookie: pair } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ via: 'session', user: { id: cs.user.id } });
    expect(new Date(me.json().expires_at).getTime()).toBeGreaterThan(Date.now() + 3600_000);

    // A state-changing cookie request must carry this site's Origin.
    const body = { name: 'Cookie Shop', industry: 'ecommerce' };
    const noOrigin = await h.app.inject({ method: 'POST', url: '/v1/clients', headers: { cookie: pair }, payload: body });
    expect(noOrigin.statusCode).toBe(403);
    expect(noOrigin.json().error.message).toMatch(/Origin/);
    const foreign = await h.app.inject({ method: 'POST', url: '/v1/clients', headers: { cookie: pair, origin: 'https://evil.example', host: 'localhost:80' }, payload: body });
    expect(foreign.statusCode).toBe(403);
    const same = await h.app.inject({ method: 'POST', url: '/v1/clients', headers: { cookie: pair, origin: 'http://localhost:80', host: 'localhost:80' }, payload: body });
    expect(same.statusCode).toBe(201);

    const out = await h.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie: pair, origin: 'http://localhost:80', host: 'localhost:80' } });
    expect(out.statusCode).toBe(200);
    expect(out.json()).toEqual({ signed_out: true });
    expect(String(out.headers['set-cookie'])).toMatch(/kaizen_session=;/);
    const after = await h.app.inject({ url: '/v1/session', headers: { cookie: pair } });
    expect(after.statusCode).toBe(401);
    // The token itself still works (sign-out ends the browser session, not the token).
    expect((await h.app.inject({ url: '/v1/session', headers: cs.auth })).json().via).toBe('bearer');

    // Revoking the user's tokens ends its browser sessions too.
    const { pair: second } = cookieOf((await h.app.inject({ method: 'POST', url: '/v1/session', headers: cs.auth })).headers['set-cookie']);
    expect((await h.app.inject({ url: '/v1/session', headers: { cookie: second } })).statusCode).toBe(200);
    await h.db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('user_id', '=', cs.user.id).execute();
    expect((await h.app.inject({ url: '/v1/session', headers: { cookie: second } })).statusCode).toBe(401);
  });

  it('a session lives only as long as the token it was signed in with: revoked or expired, the session ends at once', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const cs = await userWithToken(h.db, 'cs_manager');
    const issue = async () => (await h.app.inject({ method: 'POST', url: `/v1/users/${cs.user.id}/tokens`, headers: admin.auth, payload: { days: 30 } })).json();
    const second = await issue();
    const third = await issue();
    const signIn = async (token: string) => cookieOf((await h.app.inject({ method: 'POST', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })).headers['set-cookie']).pair;
    const [s1, s2, s3] = [await signIn(cs.token), await signIn(second.token), await signIn(third.token)];
    const meVia = async (pair: string) => (await h.app.inject({ url: '/v1/me', headers: { cookie: pair } })).statusCode;
    const create = async (pair: string) =>
      (await h.app.inject({ method: 'POST', url: '/v1/clients', headers: { cookie: pair, origin: 'http://localhost:80', host: 'localhost:80' }, payload: { name: 'Session Shop', industry: 'ecommerce' } })).statusCode;
    for (const s of [s1, s2, s3]) expect(await meVia(s)).toBe(200);
    // Another API process (its own pool and token cache), which has just seen the first token.
    const otherDb = createDb(h.config.databaseUrl!, 2);
    const other = await buildApp({ db: otherDb, temporal: h.temporal, config: h.config, log: createLogger({ logLevel: 'error', logPretty: false }, 'test') });
    expect((await other.inject({ url: '/v1/me', headers: cs.auth })).statusCode).toBe(200);

    const first = (await h.app.inject({ url: '/v1/tokens', headers: cs.auth })).json().items.find((t: { expires_at: string | null }) => t.expires_at === null);
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/tokens/${first.id}`, headers: cs.auth })).statusCode).toBe(200);
    expect(await meVia(s1)).toBe(401);
    expect(await create(s1)).toBe(401);
    // There too, at once: a session is checked against its token in Postgres on every request.
    expect((await other.inject({ url: '/v1/me', headers: { cookie: s1 } })).statusCode).toBe(401);
    expect((await other.inject({ url: '/v1/me', headers: { cookie: s2 } })).statusCode).toBe(200);
    await other.close();
    await otherDb.destroy();
    // The same user's session from another, still valid token keeps working.
    expect(await meVia(s2)).toBe(200);
    expect(await create(s2)).toBe(201);

    // Expiry, as another process or the clock would make it: the session ends with the token, no delay.
    await h.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', third.id).execute();
    expect(await meVia(s3)).toBe(401);
    expect(await create(s3)).toBe(401);
    expect(await meVia(s2)).toBe(200);

    // A token that ends within the session's 12 hours ends the session then, and the session says so.
    const short = await issue();
    const tokenEnds = new Date(Date.now() + 3600_000);
    await h.db.updateTable('api_tokens').set({ expires_at: tokenEnds }).where('id', '=', short.id).execute();
    const session = await h.app.inject({ url: '/v1/session', headers: { cookie: await signIn(short.token) } });
    expect(Date.parse(session.json().expires_at)).toBe(tokenEnds.getTime());

    // A session row from before sessions remembered their token (no token_id) is ended: sign in again.
    const legacy = `kzs_legacy_${cs.user.id}_${Date.now()}`;
    await (h.db as any).insertInto('sessions').values({ user_id: cs.user.id, token_hash: hashToken(legacy), expires_at: new Date(Date.now() + 3600_000) }).execute();
    expect(await meVia(`kaizen_session=${legacy}`)).toBe(401);
  });

  it('refuses to sign in without a token, with a bad one, or with only a cookie; an expired session is refused', async () => {
    expect((await h.app.inject({ method: 'POST', url: '/v1/session' })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'POST', url: '/v1/session', headers: { authorization: 'Bearer kzd_nope' } })).statusCode).toBe(401);
    const fin = await userWithToken(h.db, 'finance');
    const { pair } = cookieOf((await h.app.inject({ method: 'POST', url: '/v1/session', headers: fin.auth })).headers['set-cookie']);
    const again = await h.app.inject({ method: 'POST', url: '/v1/session', headers: { cookie: pair, origin: 'http://localhost:80', host: 'localhost:80' } });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.details[0].path).toBe('/headers/authorization');

    await (h.db as any).updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', fin.user.id).execute();
    const expired = await h.app.inject({ url: '/v1/session', headers: { cookie: pair } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.message).toMatch(/expired|signed out/);
  });

  it('admins get the Temporal UI base URL; a client user reads only its own data through the cookie', async () => {
    const admin = await userWithToken(h.db, 'admin');
    const s = (await h.app.inject({ method: 'POST', url: '/v1/session', headers: admin.auth })).json();
    expect(s.temporal_ui_url).toBe(`${h.config.temporalUiUrl}/namespaces/${h.config.temporalNamespace}`);
    const mine = await makeClient(h.db);
    const theirs = await makeClient(h.db);
    const cu = await userWithToken(h.db, 'client', { clientId: mine.id });
    const { pair } = cookieOf((await h.app.inject({ method: 'POST', url: '/v1/session', headers: cu.auth })).headers['set-cookie']);
    expect((await h.app.inject({ url: `/v1/clients/${mine.id}`, headers: { cookie: pair } })).statusCode).toBe(200);
    expect((await h.app.inject({ url: `/v1/clients/${theirs.id}`, headers: { cookie: pair } })).statusCode).toBe(403);
  });

  it('serves the web app at / and its pages, keeps /v1 and unknown assets as JSON 404s', async () => {
    const index = await h.app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(index.body).toContain('<div id="root">');
    const deep = await h.app.inject({ url: '/payout-runs/12' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toBe(index.body);
    const asset = index.body.match(/\/assets\/[^"]+\.js/)![0];
    const js = await h.app.inject({ url: asset });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    expect((await h.app.inject({ url: '/assets/nope.js' })).statusCode).toBe(404);
    const api404 = await h.app.inject({ url: '/v1/nothing-here' });
    expect(api404.statusCode).toBe(404);
    expect(api404.json().error.code).toBe('not_found');
    expect((await h.app.inject({ url: '/%2e%2e/package.json' })).body).not.toContain('"kaizen-desk"');
  });
});
