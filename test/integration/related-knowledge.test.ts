// GET /v1/engagements/:id/related-knowledge?text= over a real socket (issue 20 item 9): Node refuses a
// request line over its 16 KiB header limit with 431 before any route, so the schema's bound on
// `text` must keep every accepted value (even 4-byte characters, 12 bytes each once percent-encoded)
// under that limit; a longer value is a 400 naming the parameter, and a URL past the limit is the
// 431 the route documents.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
let cs: Awaited<ReturnType<typeof userWithToken>>;
let port: number;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  cs = await userWithToken(h.db, 'cs_manager');
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as AddressInfo).port;
});
afterAll(() => h.close());

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: cs.auth }, (r) => {
      let body = '';
      r.on('data', (c) => (body += c));
      r.on('end', () => resolve({ status: r.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const related = (text: string) => get(`/v1/engagements/999999999/related-knowledge?text=${encodeURIComponent(text)}`);

const route = async () => (await h.app.inject({ url: '/openapi.json' })).json().paths['/v1/engagements/{id}/related-knowledge'].get;

describe('related-knowledge: the text parameter', () => {
  it('the longest text the schema accepts reaches the route, even in the widest characters; one more character is a 400 naming /querystring/text', async () => {
    const max = (await route()).parameters.find((p: { name: string }) => p.name === 'text').schema.maxLength as number;
    // 😀 is 4 bytes of UTF-8, 12 once percent-encoded: the worst case per character.
    const longest = await related('😀'.repeat(max));
    // Past validation and into the handler: the engagement does not exist.
    expect(longest.status, longest.body.slice(0, 200)).toBe(404);
    const over = await related('😀'.repeat(max + 1));
    expect(over.status, over.body.slice(0, 200)).toBe(400);
    expect(JSON.parse(over.body).error.details[0].path).toBe('/querystring/text');
  });

  it('a URL past the 16 KiB header limit is the 431 the route documents, in the error shape', async () => {
    const res = await related('解'.repeat(2000));
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body).error.code).toBe('request_header_fields_too_large');
    expect(Object.keys((await route()).responses)).toContain('431');
  });
});
