// Shapes of one proposal (its versions, a revision, a script approval); the list item and submission
// live with the offers (offers.ts), as proposals are an offer's sub-resource.
import { Type } from 'typebox';
import { ChangeSet } from './changes.ts';
import { Actions, Id, Nullable, Timestamp } from './common.ts';
import { DesignUrl, Proposal } from './offers.ts';

export const ProposalVersion = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  created_at: Timestamp,
  js_hash: Nullable(Type.String({ description: "sha256 (hex) of the version's custom script; an approval must name it" })),
  js_approved_by: Nullable(Id),
  js_approved_at: Nullable(Timestamp),
});
/**
 * What the caller may do to the proposal now: revise (its author), withdraw (its author), approve the
 * current version's script, review (pass) or return it (its engagement's CS manager, admin).
 */
export const ProposalActions = Actions(['revise', 'withdraw', 'approve_js', 'review', 'return'] as const);
export const ProposalReviewEntry = Type.Object({
  version: Type.Integer({ minimum: 1, description: 'the version reviewed' }),
  decision: Type.Union([Type.Literal('pass'), Type.Literal('return')]),
  comment: Nullable(Type.String()),
  actor_user_id: Id,
  created_at: Timestamp,
});
export const ProposalDetail = Type.Intersect([
  Proposal,
  Type.Object({
    versions: Type.Array(ProposalVersion),
    reviews: Type.Array(ProposalReviewEntry, { description: 'every pass and return, oldest first (the author, CS and admin; others: empty)' }),
    actions: ProposalActions,
  }),
]);
export const ReviewBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('pass'), Type.Literal('return')]),
    comment: Type.Optional(Type.String({ maxLength: 2000, description: 'required to return: what the author should fix (plain text)' })),
  },
  { additionalProperties: false, examples: [{ decision: 'return', comment: 'The new button covers the price at phone width.' }, { decision: 'pass' }] },
);

export const Revision = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
    design_url: Type.Optional(DesignUrl),
    changes: Type.Optional(ChangeSet),
  },
  { additionalProperties: false, description: 'fields left out are carried over from the current version', examples: [{ changes: { css: '.cta { background: #e60 }' } }] },
);
export const VersionParams = Type.Object({ id: Id, version: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false });
export const JsApprovalBody = Type.Object(
  { js_sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: "the sha256 (hex) of the script approved: must be the version's js_hash" }) },
  { additionalProperties: false, examples: [{ js_sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }] },
);
export const JsApproval = Type.Object({ proposal_id: Id, version: Type.Integer(), js_hash: Type.String(), js_approved_by: Id, js_approved_at: Timestamp });
export const PreviewLinkBody = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'default: the current version' })) },
  { additionalProperties: false, examples: [{ version: 2 }] },
);
export const PreviewLink = Type.Object({
  url: Type.String({ description: "the offer page's URL with kz_preview=<token>" }),
  token: Type.String({ description: 'signed: this version, this client, until expires_at' }),
  expires_at: Timestamp,
});
