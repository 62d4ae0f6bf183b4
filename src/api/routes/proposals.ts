// One proposal after submitting it (submitting and listing are offers' sub-resources: offers.ts): read
// with its versions, revised by its author (a new version), withdrawn, its script approved by CS.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { approveScript, proposalDetail, proposalFor, reviewProposal, reviseProposal, withdrawProposal } from '../../cycles/proposals.ts';
import { jsApprovalRefused } from '../../domain/cycles/changes.ts';
import { reviseRefused, withdrawRefused } from '../../domain/cycles/proposals.ts';
import { action, assertManages, manageRefusal, reviewActions, routeRefusal } from '../access.ts';
import { actorOf, STAFF } from '../auth.ts';
import type { ApiDeps } from '../deps.ts';
import { authErrors, ErrorResponse, IdParams } from '../schemas/common.ts';
import { Proposal } from '../schemas/offers.ts';
import { JsApproval, JsApprovalBody, PreviewLink, PreviewLinkBody, ProposalDetail, ReviewBody, Revision, VersionParams } from '../schemas/proposals.ts';
import { previewLink, previewTarget, resolvePreviewKey } from '../../site/preview.ts';
import { notFound } from '../errors.ts';
import { startPendingRenders } from '../../renders/versions.ts';

const version = (v: { version: number; created_at: Date; js_sha256: string | null; js_approved_by: number | null; js_approved_at: Date | null }) => ({
  version: v.version,
  created_at: v.created_at,
  js_hash: v.js_sha256,
  js_approved_by: v.js_approved_by,
  js_approved_at: v.js_approved_at,
});

export const proposalRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, config, temporal }) => {
  app.post(
    '/v1/proposals/:id/withdraw',
    {
      config: { roles: ['hacker'] },
      schema: { tags: ['proposals'], summary: 'Withdraw my proposal before the deadline (hackers)', params: IdParams, response: { 200: Proposal, ...authErrors, 409: ErrorResponse } },
    },
    async (req) => withdrawProposal(db, req.user, req.params.id),
  );

  /** The proposal as the caller sees it, with what they may do now (by the write routes' own checks). */
  async function detail(req: FastifyRequest, found: Awaited<ReturnType<typeof proposalFor>>) {
    const { proposal, window, engagement } = found;
    const d = await proposalDetail(db, proposal, req.user);
    const current = d.versions.find((v) => v.version === proposal.version)!;
    const now = new Date();
    const actions = {
      revise: action(routeRefusal(req, 'POST', '/v1/proposals/:id/versions'), reviseRefused(proposal, window, now) ?? undefined),
      withdraw: action(routeRefusal(req, 'POST', '/v1/proposals/:id/withdraw'), withdrawRefused(proposal, window, now) ?? undefined),
      approve_js: action(
        routeRefusal(req, 'POST', '/v1/proposals/:id/versions/:version/js-approval'),
        manageRefusal(req, engagement),
        jsApprovalRefused(current, current.js_sha256 ?? '') ?? undefined,
        current.js_approved_at ? `version ${current.version}'s script is already approved` : undefined,
      ),
      ...reviewActions(req, proposal, found, now),
    };
    return { ...d, versions: d.versions.map(version), actions };
  }

  app.get(
    '/v1/proposals/:id',
    {
      config: { roles: [...STAFF, 'client', 'hacker'] },
      schema: {
        tags: ['proposals'],
        summary: 'One proposal with its versions and change set',
        description:
          "Its author, CS and admin; the offer's client once CS passed it; after the offer's selection, a selected one to every hacker who sees the offer (without its custom script); anyone else 404. `changes` is the current version's.",
        params: IdParams,
        response: { 200: ProposalDetail, ...authErrors },
      },
    },
    async (req) => detail(req, await proposalFor(db, req.user, req.params.id)),
  );

  app.post(
    '/v1/proposals/:id/versions',
    {
      config: { roles: ['hacker'] },
      schema: {
        tags: ['proposals'],
        summary: 'Revise my proposal: a new version (hackers)',
        description:
          'Version n+1 from the current one and the fields given (a version is never edited). Only while submitted and before the deadline; a selected proposal is frozen (409). A change set is validated and its HTML sanitised (docs/changes.md); 400 names the field, e.g. /body/changes/mutations/3/selector.',
        params: IdParams,
        body: Revision,
        response: { 201: ProposalDetail, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      await reviseProposal(db, req.user, req.params.id, req.body);
      req.log.info({ proposalId: req.params.id }, 'proposal revised');
      // The new version's renders were saved pending with it.
      await startPendingRenders(db, temporal, config.taskQueue, req.params.id).catch((err) =>
        req.log.warn({ err: String(err), proposalId: req.params.id }, "proposal revised; render workflow not started (the worker's reconcile starts it)"),
      );
      return reply.status(201).send(await detail(req, await proposalFor(db, req.user, req.params.id)));
    },
  );

  app.post(
    '/v1/proposals/:id/review',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['proposals'],
        summary: "Pass a proposal's current version to the client, or return it to its author with a comment (its engagement's CS manager, admin)",
        description:
          "Only a passed proposal reaches the client (list, detail, selection, preview links). A return needs `comment` (400 naming /body/comment) and the offer's window open (the author revises: a new version is pending again); passing is possible until the selection. The same review again changes nothing. 409 once the proposal is selected, rejected or withdrawn.",
        params: IdParams,
        body: ReviewBody,
        response: { 200: ProposalDetail, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const { engagement } = await proposalFor(db, req.user, req.params.id);
      assertManages(req, engagement);
      const p = await reviewProposal(db, req.user, req.params.id, { decision: req.body.decision, comment: req.body.comment, actor: actorOf(req) });
      req.log.info({ proposalId: p.id, version: p.version, review: p.review_status }, 'proposal reviewed');
      return detail(req, await proposalFor(db, req.user, req.params.id));
    },
  );

  app.post(
    '/v1/proposals/:id/preview-link',
    {
      config: { roles: [...STAFF, 'client', 'hacker'] },
      schema: {
        tags: ['proposals'],
        summary: 'A signed, short-lived link to preview a version on the real page',
        description:
          "The offer page's URL with `kz_preview=<token>` (its query string kept): the SDK shows that version to that browser only. The token names exactly this version and the client, and expires (default 30 minutes). The proposal's author, the engagement's CS manager, the client's users and admin; anyone else 404.",
        params: IdParams,
        body: PreviewLinkBody,
        response: { 200: PreviewLink, ...authErrors },
      },
    },
    async (req) => {
      const { proposal, engagement } = await proposalFor(db, req.user, req.params.id);
      // Another CS manager may read the proposal but not open it on the client's site, nor may another
      // hacker (who reads a selected one to learn from it).
      if (manageRefusal(req, engagement) || (req.user.role === 'hacker' && proposal.hacker_id !== req.user.hacker_id)) throw notFound('proposal');
      // The client previews what CS passed: the current version, not an earlier one.
      if (req.user.role === 'client' && req.body.version !== undefined && req.body.version !== proposal.version) throw notFound('proposal version');
      const target = await previewTarget(db, req.params.id, req.body.version);
      if (!target) throw notFound('proposal version');
      return previewLink(resolvePreviewKey(config), target, config.preview.minutes);
    },
  );

  app.post(
    '/v1/proposals/:id/versions/:version/js-approval',
    {
      config: { roles: STAFF },
      schema: {
        tags: ['proposals'],
        summary: "Approve a version's custom script (its engagement's CS manager, admin)",
        description: "`js_sha256` must be the version's `js_hash` (409 otherwise), so an approval never applies to other text. Until approved, the site config serves the version without its script.",
        params: VersionParams,
        body: JsApprovalBody,
        response: { 200: JsApproval, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const { engagement } = await proposalFor(db, req.user, req.params.id);
      assertManages(req, engagement);
      const v = await approveScript(db, { proposalId: req.params.id, version: req.params.version, sha256: req.body.js_sha256, actor: actorOf(req) });
      req.log.info({ proposalId: req.params.id, version: v.version }, 'custom script approved');
      return { proposal_id: v.proposal_id, version: v.version, js_hash: v.js_sha256!, js_approved_by: v.js_approved_by!, js_approved_at: v.js_approved_at! };
    },
  );
};
