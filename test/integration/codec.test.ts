// Temporal's own storage holds only ciphertext; an admin reads payloads through the codec server;
// summaries and search attributes stay readable and carry ids only; old keys still decode.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, parsePayloadKeys } from '../../src/infra/payload-codec.ts';
import { buildApp } from '../../src/api/app.ts';
import { resolveTemporalTool } from '../../src/infra/tools.ts';
import { EngagementIdKey } from '../../src/workflows/search-attributes.ts';
import { createHarness, eventually, makeClient, TEST_PAYLOAD_KEYS_ENV, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('encrypted payloads', () => {
  it('stores ciphertext; the codec server decodes for admins only; summaries stay readable', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const admin = await userWithToken(h.db, 'admin');
    const client = await makeClient(h.db, '秘密商事株式会社');
    const e = (await h.app.inject({ method: 'POST', url: '/v1/engagements', headers: cs.auth, payload: { client_id: client.id, offer_mode: 'open', monthly_fee_yen: 700_000 } })).json();
    await eventually(async () => (await h.db.selectFrom('cycles').select('id').where('engagement_id', '=', e.id).executeTakeFirst()) ?? undefined);

    // A client without the codec sees Temporal's storage as it is.
    const raw = new Client({ connection: await Connection.connect({ address: h.config.temporalAddress! }), namespace: h.config.temporalNamespace });
    const history = await raw.workflow.getHandle(e.workflow_id).fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
    const input = started.input!.payloads![0]!;
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(input.metadata!['encryption-key-id']!).toString()).toBe('t2');
    expect(Buffer.from(input.data!).toString('latin1')).not.toContain('engagementId');
    const describe = await raw.workflow.getHandle(e.workflow_id).describe();
    expect(describe.typedSearchAttributes.get(EngagementIdKey)).toBe(String(e.id));
    expect(await describe.staticSummary()).toBe(`Engagement #${e.id} (client #${client.id})`);

    // The codec server: admins decode; others are refused; the UI's origin may call it.
    const body = { payloads: [{ metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(input.data!).toString('base64') }] };
    const decoded = await h.app.inject({ method: 'POST', url: '/codec/decode', headers: { ...admin.auth, origin: h.config.temporalUiUrl, 'x-namespace': 'default' }, payload: body });
    expect(decoded.statusCode, decoded.body).toBe(200);
    expect(decoded.headers['access-control-allow-origin']).toBe(new URL(h.config.temporalUiUrl).origin);
    const plain = decoded.json().payloads[0];
    expect(Buffer.from(plain.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(plain.data, 'base64').toString())).toMatchObject({ engagementId: e.id, clientId: client.id });
    expect((await h.app.inject({ method: 'POST', url: '/codec/decode', headers: cs.auth, payload: body })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/codec/decode', payload: body })).statusCode).toBe(401);
    const preflight = await h.app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: h.config.temporalUiUrl, 'access-control-request-method': 'POST' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('x-namespace');
    await raw.connection.close();
    await h.app.inject({ method: 'POST', url: `/v1/engagements/${e.id}/end`, headers: cs.auth, payload: { mode: 'immediately', reason: 'codec test over' } });
  });

  it('rotation: payloads of an old key still decode; new ones use the first key', async () => {
    const old = new AesGcmPayloadCodec(parsePayloadKeys(`t1:${Buffer.alloc(32, 1).toString('base64')}`));
    const current = new AesGcmPayloadCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS_ENV));
    const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"x":1}') };
    const [byOld] = await old.encode([payload]);
    const [back] = await current.decode([byOld!]);
    expect(Buffer.from(back!.data!).toString()).toBe('{"x":1}');
    const [byNew] = await current.encode([payload]);
    expect(Buffer.from(byNew!.metadata!['encryption-key-id']!).toString()).toBe('t2');
    await expect(old.decode([byNew!])).rejects.toThrow(/unknown key id "t2"/);
    // UI text (a bare JSON string) is left readable on purpose.
    const text = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"Engagement #1 (client #2)"') };
    expect((await current.encode([text]))[0]).toBe(text);
  });
});

describe('the real Temporal CLI with --codec-endpoint', () => {
  // The CLI sends protobuf JSON: an empty payload list arrives as `{}` (workflow metadata of a
  // workflow with no details), which the codec server answered 400 before.
  it('shows, describes, queries and reads the metadata of an encrypted cycle, decoded', async () => {
    const cli = resolveTemporalTool('cli', h.config.tools);
    expect(cli, 'the Temporal CLI (pinned wheel)').toBeTruthy();
    const cs = await userWithToken(h.db, 'cs_manager');
    const admin = await userWithToken(h.db, 'admin');
    const client = await makeClient(h.db, 'コーデック株式会社');
    const e = (await h.app.inject({ method: 'POST', url: '/v1/engagements', headers: cs.auth, payload: { client_id: client.id, offer_mode: 'open', monthly_fee_yen: 700_000 } })).json();
    const cycle = await eventually(async () => (await h.db.selectFrom('cycles').select(['id', 'workflow_id']).where('engagement_id', '=', e.id).executeTakeFirst()) ?? undefined);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address() as { port: number };
    const run = promisify(execFile);
    const temporal = async (...args: string[]) =>
      (await run(cli!, [...args, '--address', h.config.temporalAddress!, '--namespace', h.config.temporalNamespace, '--codec-endpoint', `http://127.0.0.1:${address.port}/codec`, '--codec-auth', admin.auth.authorization], { timeout: 60_000 })).stdout;
    try {
      const shown = await temporal('workflow', 'show', '--workflow-id', e.workflow_id, '--output', 'json');
      const input = JSON.parse(shown).events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
      expect(Buffer.from(input.metadata.encoding, 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(input.data, 'base64').toString())).toMatchObject({ engagementId: e.id });
      const described = await temporal('workflow', 'describe', '--workflow-id', e.workflow_id, '--output', 'json');
      expect(described).toContain(e.workflow_id);
      const metadata = await temporal('workflow', 'metadata', '--workflow-id', cycle.workflow_id);
      expect(metadata.length).toBeGreaterThan(0);
      const queried = await temporal('workflow', 'query', '--workflow-id', cycle.workflow_id, '--type', 'status', '--output', 'json');
      expect(queried).toContain('"phase"');
    } finally {
      await h.app.inject({ method: 'POST', url: `/v1/engagements/${e.id}/end`, headers: cs.auth, payload: { mode: 'immediately', reason: 'codec CLI test over' } });
    }
  }, 180_000);
});

describe('the embedded dev stack', () => {
  it("decodes for the dev server's UI without a token, on the loopback only; never with a cluster or in production", async () => {
    const input = (await new AesGcmPayloadCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS_ENV)).encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"x":1}') }]))[0]!;
    const body = { payloads: [{ metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(input.data!).toString('base64') }] };
    const dev = await buildApp({ db: h.db, temporal: h.temporal, log: h.app.log as never, config: { ...h.config, temporalAddress: undefined, production: { strict: false, problems: [] } } });
    try {
      const local = await dev.inject({ method: 'POST', url: '/codec/decode', remoteAddress: '127.0.0.1', payload: body });
      expect(local.statusCode, local.body).toBe(200);
      expect(Buffer.from(local.json().payloads[0].data, 'base64').toString()).toBe('{"x":1}');
      expect((await dev.inject({ method: 'POST', url: '/codec/decode', remoteAddress: '10.1.2.3', payload: body })).statusCode).toBe(403);
    } finally {
      await dev.close();
    }
    // A cluster (TEMPORAL_ADDRESS) or production: admins only.
    expect((await h.app.inject({ method: 'POST', url: '/codec/decode', remoteAddress: '127.0.0.1', payload: body })).statusCode).toBe(401);
    const prod = await buildApp({ db: h.db, temporal: h.temporal, log: h.app.log as never, config: { ...h.config, temporalAddress: undefined, production: { strict: true, problems: [] } } });
    try {
      expect((await prod.inject({ method: 'POST', url: '/codec/decode', remoteAddress: '127.0.0.1', payload: body })).statusCode).toBe(401);
    } finally {
      await prod.close();
    }
  });
});
