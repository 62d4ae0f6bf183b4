// Request and response shapes of offers and proposals.
import { Type } from 'typebox';
import { ChangeSet } from './changes.ts';
import { Render } from './renders.ts';
import { Actions, Id, Nullable, OfferKind, PagedQuery, Timestamp } from './common.ts';

export const Offer = Type.Object({
  id: Id,
  cycle_id: Id,
  engagement_id: Id,
  kind: OfferKind,
  brief: Type.String(),
  adoption_fee_yen: Type.Integer(),
  win_bonus_yen: Type.Integer(),
  submission_fee_yen: Type.Integer(),
  deadline: Timestamp,
  status: Type.String(),
  extended: Type.Boolean(),
  widen_reason: Nullable(Type.String()),
});
/** CS's last review (issue 23): the status is the current version's (a revision makes it pending again). */
export const ProposalReview = Type.Object({
  status: Type.Union([Type.Literal('pending'), Type.Literal('passed'), Type.Literal('returned')], { description: 'only a passed proposal reaches the client' }),
  comment: Nullable(Type.String({ description: "the last review's comment (a return says what to fix); the author, CS and admin only" })),
  reviewed_by: Nullable(Id),
  reviewed_at: Nullable(Timestamp),
});
export const Proposal = Type.Object({
  id: Id,
  offer_id: Id,
  hacker_id: Id,
  title: Type.String(),
  description: Type.String(),
  design_url: Type.String(),
  status: Type.String({ description: 'submitted, selected, rejected or withdrawn' }),
  version: Type.Integer({ minimum: 1, description: 'the current version (a revision adds one; a selected proposal is frozen)' }),
  changes: ChangeSet,
  review: ProposalReview,
  renders: Type.Array(Render, { description: "the current version's screenshots, PC and phone (issue 23): pending until the render worker made them, failed with a reason" }),
  created_at: Timestamp,
});
/** A proposal in its offer's list, with what the caller may do to it there (CS's review: no request per card). */
export const ProposalListItem = Type.Intersect([Proposal, Type.Object({ actions: Actions(['review', 'return'] as const) })]);
/** A proposal's design link: http(s) only (javascript:/data: are refused here and by the use case). */
export const DesignUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 });
export const NewProposal = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ minLength: 1, maxLength: 10_000 }),
    design_url: DesignUrl,
    changes: Type.Optional(ChangeSet),
  },
  {
    additionalProperties: false,
    examples: [
      {
        title: 'One-page checkout',
        description: 'Merge the address and payment steps…',
        design_url: 'https://figma.example/file/abc',
        changes: { mutations: [{ selector: '#shipping-note', action: 'set_text', value: 'Free shipping over ¥5,000' }] },
      },
    ],
  },
);
export const OfferListQuery = PagedQuery({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])) });

// Who an offer invited, each score's parts, and who was left out near the cut.
const Part = Type.Object({ value: Type.Number({ description: '0..1' }), weight: Type.Number(), points: Type.Number({ description: 'value × weight; the parts add up to the score' }) });
const Parts = Nullable(Type.Object({ industry_win_rate: Part, adoption_rate: Part, skill_match: Part, recency: Part }));
export const Invitations = Type.Object({
  offer_id: Id,
  kind: Type.String(),
  invited: Type.Array(Type.Object({ hacker_id: Id, display_name: Type.String(), reason: Type.String(), rank: Nullable(Type.Integer()), score: Nullable(Type.Number()), parts: Parts, created_at: Timestamp })),
  left_out: Type.Array(Type.Object({ hacker_id: Id, display_name: Type.String(), reason: Type.String({ description: 'below_cut, at_capacity, inactive' }), score: Nullable(Type.Number()), parts: Parts })),
});
