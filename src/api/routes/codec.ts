// The codec server the Temporal UI and CLI call to show payloads to an authorised engineer:
// `POST /codec/decode` and `/codec/encode` with `{payloads:[{metadata:{k: base64}, data: base64}]}`.
// Admins only (bearer token or session); CORS for the Temporal UI's origin, with the headers it sends.
// On the embedded dev stack (no TEMPORAL_ADDRESS, not production) the dev server's UI decodes out of
// the box: its data encoder calls this endpoint from the developer's browser without a token, so there
// the endpoint answers callers on the loopback only, and anyone else gets 403. Never in production.
import type { Payload } from '@temporalio/common';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Static } from 'typebox';
import { AesGcmPayloadCodec, resolvePayloadKeys } from '../../infra/payload-codec.ts';
import { Payloads, PayloadsAnswer, type WirePayload } from '../schemas/codec.ts';
import { forbidden } from '../errors.ts';
import { authErrors } from '../schemas/common.ts';
import type { ApiDeps } from '../deps.ts';

const fromWire = (p: Static<typeof WirePayload>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toWire = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** The embedded dev stack's codec: no token, loopback callers only (see the header). */
export const devCodecOpen = (config: Pick<ApiDeps['config'], 'temporalAddress' | 'production'>) => !config.temporalAddress && !config.production.strict;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export const codecRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { config }) => {
  const codec = new AesGcmPayloadCodec(resolvePayloadKeys(config));
  const dev = devCodecOpen(config);
  const origin = new URL(config.temporalUiUrl).origin;
  const cors = (reply: FastifyReply) =>
    reply
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type, x-namespace, authorization')
      .header('access-control-allow-credentials', 'true')
      .header('vary', 'origin');

  for (const op of ['decode', 'encode'] as const) {
    // Preflight carries no credentials: answered for the UI's origin only, with no payload work.
    app.options(`/codec/${op}`, { schema: { hide: true } }, async (_req, reply) => cors(reply).status(204).send());
    app.post(
      `/codec/${op}`,
      {
        config: dev ? {} : { roles: ['admin'] },
        onSend: async (_req, reply, payload) => (cors(reply), payload),
        schema: {
          // The dev stack's loopback codec is a convenience for the dev server's UI, not API surface.
          hide: dev,
          tags: ['codec'],
          summary: `${op === 'decode' ? 'Decrypt' : 'Encrypt'} Temporal payloads for the Temporal UI / CLI (admin)`,
          description: 'Temporal codec server protocol. Point the Temporal UI or `temporal workflow show --codec-endpoint <api>/codec --codec-auth "Bearer <admin token>"` here.',
          body: Payloads,
          response: { 200: PayloadsAnswer, ...authErrors },
        },
      },
      async (req) => {
        if (dev && !LOOPBACK.test(req.ip)) throw forbidden('the dev codec answers callers on this machine only');
        const payloads = (req.body.payloads ?? []).map(fromWire);
        const out = op === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
        req.log.info({ op, payloads: payloads.length, namespace: req.headers['x-namespace'] }, 'codec request');
        return { payloads: out.map(toWire) };
      },
    );
  }
};
