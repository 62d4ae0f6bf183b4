// Bad input is a 4xx in the project's error shape, never a 5xx (issue: input handling without 5xx).
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, makeClient, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let fin: Awaited<ReturnType<typeof userWithToken>>;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  cs = await userWithToken(h.db, 'cs_manager');
  fin = await userWithToken(h.db, 'finance');
});
afterAll(() => h.close());

async function send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, auth: { authorization: string }, payload?: unknown, headers: Record<string, string> = {}) {
  const res = await h.app.inject({ method, url, headers: { ...auth, ...headers }, ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }), ...(payload !== undefined && !headers['content-type'] ? { headers: { ...auth, 'content-type': 'application/json', ...headers } } : {}) });
  return { status: res.statusCode, body: res.json() as { error: { code: string; message: string; details: { path: string }[] } }, headers: res.headers };
}

describe('input handling', () => {
  it('refuses a NUL character in any text field or query, naming it', async () => {
    const name = await send('POST', '/v1/clients', cs.auth, { name: 'Acme\u0000KK', industry: 'retail' });
    expect(name.status).toBe(400);
    expect(name.body.error.details[0]!.path).toBe('/body/name');
    const q = await send('GET', '/v1/knowledge?q=ab%00cd', cs.auth);
    expect(q.status).toBe(400);
    expect(q.body.error.details[0]!.path).toBe('/querystring/q');
    const hacker = await send('POST', '/v1/hackers', cs.auth, { display_name: 'x\u0000', kind: 'individual', residency: 'resident' });
    expect(hacker.status).toBe(400);
  });

  it('bounds every integer in query strings', async () => {
    for (const url of ['/v1/cycles?after_id=1e30', '/v1/engagements?client_id=9223372036854775808', '/v1/tests?engagement_id=99999999999999999999']) {
      const res = await send('GET', url, cs.auth);
      expect(res.status, url).toBe(400);
      expect(res.body.error.details[0]!.path).toMatch(/^\/querystring\//);
    }
  });

  it('does not coerce JSON body types', async () => {
    const client = await makeClient(h.db);
    for (const fee of [true, '1000', '1e3']) {
      const res = await send('POST', '/v1/engagements', cs.auth, { client_id: client.id, offer_mode: 'open', monthly_fee_yen: fee });
      expect(res.status, String(fee)).toBe(400);
      expect(res.body.error.details.map((d) => d.path)).toContain('/body/monthly_fee_yen');
    }
    const reason = await send('POST', '/v1/tests/1/invalidate', cs.auth, { reason: false });
    expect(reason.status).toBe(400);
    expect(reason.body.error.details[0]!.path).toBe('/body/reason');
    // Query strings are text: numbers in them still parse.
    expect((await send('GET', '/v1/cycles?limit=5', cs.auth)).status).toBe(200);
  });

  it('accepts only real calendar dates', async () => {
    const hacker = await h.db.insertInto('hackers').values({ display_name: 'Date Check', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow();
    for (const date of ['0000-00-00', '1869-35-62', '2031-02-30']) {
      const res = await send('PUT', `/v1/hackers/${hacker.id}/payee`, fin.auth, { invoice: { registration_number: 'T1180301018771', registered_on: date } });
      expect(res.status, date).toBe(400);
      expect(res.body.error.details[0]!.path).toBe('/body/invoice/registered_on');
    }
  });

  it('answers an unknown method with 405 and Allow, and other charsets with 415', async () => {
    const res = await send('DELETE', '/v1/engagements', cs.auth);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('GET');
    expect(res.headers.allow).toContain('POST');
    expect(res.body.error.code).toBe('method_not_allowed');
    const withParam = await send('PUT', '/v1/cycles/12', cs.auth);
    expect(withParam.status).toBe(405);
    const missing = await send('GET', '/v1/nothing-here', cs.auth);
    expect(missing.status).toBe(404);
    for (const charset of ['utf-16', 'latin1']) {
      const r = await send('POST', '/v1/clients', cs.auth, JSON.stringify({ name: 'X', industry: 'retail' }), { 'content-type': `application/json; charset=${charset}` });
      expect(r.status, charset).toBe(415);
      expect(r.body.error.code).toBe('unsupported_media_type');
    }
    expect((await send('POST', '/v1/clients', cs.auth, JSON.stringify({ name: 'Y', industry: 'retail' }), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(201);
  });

  it('answers headers too large with 431 in the error shape', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/healthz', headers: { 'x-big': 'a'.repeat(64 * 1024) } }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body).error.code).toBe('request_header_fields_too_large');
  });
});
