// Screenshots by content address (issue 23): GET /v1/images/:sha256 answers the bytes only to a caller
// who may see some proposal rendered with that image (THE rule: cycles/proposals.ts proposalFor);
// anyone else, and a name that is no image, gets the same 404. Content-addressed, so cached forever.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { blobStoreFor } from '../../blobs/store.ts';
import { proposalFor } from '../../cycles/proposals.ts';
import type { Viewer } from '../../cycles/offers.ts';
import type { Db } from '../../db/index.ts';
import { RuleError } from '../../domain/errors.ts';
import { proposalsShowing } from '../../renders/versions.ts';
import { STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { authErrors, FileAnswer } from '../schemas/common.ts';
import { ImageParams } from '../schemas/renders.ts';

/** Whether the viewer may see a proposal whose renders show the image (a test arm's, a knowledge entry's images are its proposals'). */
async function imageVisible(db: Db, viewer: Viewer, sha256: string): Promise<boolean> {
  for (const proposalId of await proposalsShowing(db, sha256)) {
    try {
      await proposalFor(db, viewer, proposalId);
      return true;
    } catch (err) {
      if (!(err instanceof RuleError && err.kind === 'not_found')) throw err;
    }
  }
  return false;
}

export const imageRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config }) => {
  const blobs = blobStoreFor(config);

  app.get(
    '/v1/images/:sha256',
    {
      config: { roles: [...STAFF, 'client', 'hacker'] },
      schema: {
        tags: ['proposals'],
        summary: "A proposal's screenshot (PNG full page, WebP thumbnail)",
        description:
          "The image's bytes with its content type, to whoever may see a proposal rendered with it (its author, CS and admin, the offer's client once CS passed it, other hackers once it is selected); anyone else 404. Immutable: the name is the sha256 of the bytes.",
        params: ImageParams,
        response: { 200: FileAnswer('image/png', 'the image (image/png full page, image/webp thumbnail)'), ...authErrors },
      },
    },
    async (req, reply) => {
      if (!(await imageVisible(db, req.user, req.params.sha256))) throw notFound('image');
      const blob = await blobs.get(req.params.sha256);
      if (!blob) throw notFound('image');
      return reply.type(blob.contentType).header('cache-control', 'private, max-age=31536000, immutable').send(blob.bytes);
    },
  );
};
