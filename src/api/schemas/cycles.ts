// Request and response shapes of cycles, offers, proposals, tests and knowledge.
import { Type } from 'typebox';
import { Render } from './renders.ts';
import { Actions, Id, Month, WaitingForCode, Nullable, OfferKind, Tag, Timestamp } from './common.ts';

export const CyclePhase = Type.Union(
  ['planning', 'offer_posting', 'proposals', 'selection', 'test_run', 'verdict', 'knowledge_capture', 'earnings', 'completed', 'abandoned', 'failed'].map((p) => Type.Literal(p)),
);

export const CycleSummary = Type.Object({
  id: Id,
  engagement_id: Id,
  client_id: Id,
  month: Type.String(),
  phase: Type.String(),
  waiting_for: Nullable(Type.String()),
  due_at: Nullable(Timestamp),
  overdue: Type.Boolean(),
  end_reason: Nullable(Type.String({ description: 'why an abandoned or failed cycle ended' })),
  completed_at: Nullable(Timestamp),
  workflow_id: Type.String(),
});

const PastTest = Type.Object({ testId: Id, month: Type.String(), pageId: Id, hypothesis: Type.String(), change: Type.String(), outcome: Type.String(), lift: Nullable(Type.Number()) });
export const CycleLive = Type.Object({
  cycleId: Type.Integer(),
  month: Type.String(),
  phase: Type.String(),
  waitingFor: Nullable(Type.String()),
  dueAt: Nullable(Type.String()),
  overdue: Type.Boolean(),
  endReason: Type.Optional(Type.String()),
  history: Type.Array(PastTest, { description: "the client's past tests on the same pages (by URL, across engagements)" }),
  offers: Type.Array(Type.Object({ offerId: Id, hypothesisId: Id, kind: Type.String(), deadline: Type.String(), extended: Type.Boolean(), proposals: Type.Integer() })),
  tests: Type.Array(Type.Object({ testId: Id, offerId: Id, workflowId: Type.String(), outcome: Type.Optional(Type.String()) })),
});

export const Cycle = Type.Object({
  id: Id,
  engagement_id: Id,
  client_id: Id,
  month: Type.String(),
  phase: Type.String(),
  overdue: Type.Boolean(),
  waiting_for: Nullable(Type.String()),
  ...WaitingForCode,
  due_at: Nullable(Timestamp),
  workflow_id: Type.String(),
  report: Type.Unknown({ description: 'once completed: per test outcome, lift and CI, monthly_revenue_uplift_yen; winners' }),
  end_reason: Nullable(Type.String()),
  completed_at: Nullable(Timestamp),
  updated_at: Timestamp,
  created_at: Timestamp,
  live: Nullable(CycleLive),
  actions: Actions(['plan', 'select'] as const),
  plan_authors: Type.Array(Type.Union([Type.Literal('client'), Type.Literal('cs')]), { description: 'the hypothesis authors the caller may write in a plan' }),
  selected: Type.Array(
    Type.Object({
      offer_id: Id,
      proposals: Type.Array(Type.Object({ id: Id, version: Type.Integer(), title: Type.String(), author: Type.String({ description: "the hacker's display name" }), renders: Type.Array(Render) })),
    }),
    { description: "each offer of the cycle with the proposals selected for its test and their screenshots (issue 23)" },
  ),
});

export const CycleListQuery = { engagement_id: Type.Optional(Id), phase: Type.Optional(CyclePhase), month: Type.Optional(Month) };

export const Plan = Type.Object(
  {
    hypotheses: Type.Array(
      Type.Object(
        {
          author: Type.Union([Type.Literal('client'), Type.Literal('cs')]),
          problem: Type.String({ minLength: 1, maxLength: 5000 }),
          page_id: Id,
          metric: Type.Union([Type.Literal('conversion'), Type.Literal('revenue')]),
          skills: Type.Optional(Type.Array(Tag, { maxItems: 10, uniqueItems: true })),
          offer_kind: Type.Optional(OfferKind),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10 },
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        hypotheses: [
          { author: 'client', problem: 'Checkout form asks for too much', page_id: 1, metric: 'conversion', skills: ['design'], offer_kind: 'targeted' },
          { author: 'cs', problem: 'Hero does not say what we sell', page_id: 2, metric: 'conversion' },
        ],
      },
    ],
  },
);
export const PlanResult = Type.Object({ cycle_id: Id, hypothesis_ids: Type.Array(Id) });

export const Selection = Type.Object(
  {
    selections: Type.Array(
      Type.Object({ offer_id: Id, proposal_ids: Type.Array(Id, { minItems: 1, maxItems: 3, uniqueItems: true }) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 10 },
    ),
  },
  { additionalProperties: false, examples: [{ selections: [{ offer_id: 7, proposal_ids: [31, 35] }] }] },
);
export const SelectionResult = Type.Object({ cycle_id: Id, pending_offers: Type.Array(Id, { description: 'offers with proposals still waiting for a selection' }) });

export const Task = Type.Object({
  kind: Type.String({ description: 'submit_plan, select_proposals, cycle_failed, submit_proposal, review_proposals, review_payout_run, record_remittance, …' }),
  cycle_id: Type.Optional(Id),
  engagement_id: Type.Optional(Id),
  offer_id: Type.Optional(Id),
  brief_id: Type.Optional(Id),
  offer_kind: Type.Optional(Type.String()),
  run_id: Type.Optional(Id),
  invoice_id: Type.Optional(Nullable(Id)),
  client_id: Type.Optional(Nullable(Id)),
  receipt_id: Type.Optional(Id),
  month: Type.Optional(Type.String()),
  overdue: Type.Boolean(),
  due_at: Nullable(Type.String()),
  waiting_for: Nullable(Type.String()),
  ...WaitingForCode,
  client_name: Type.Optional(Type.String({ description: "the engagement's client" })),
  prepared_by_name: Type.Optional(Nullable(Type.String())),
  approve_refusal_code: Type.Optional(Nullable(Type.String({ description: 'four_eyes_self: I prepared the run; role' }))),
  due_on: Type.Optional(Nullable(Type.String({ description: 'the due day, Asia/Tokyo' }))),
  prepared_by: Type.Optional(Nullable(Id)),
  payment_date: Type.Optional(Nullable(Type.String())),
  may_approve: Type.Optional(Nullable(Type.Boolean({ description: 'payout reviews: whether I may approve (four eyes)' }))),
  approve_refusal: Type.Optional(Nullable(Type.String({ description: 'payout reviews: why I may not approve' }))),
  item_id: Type.Optional(Id),
  change_id: Type.Optional(Id),
  hacker_id: Type.Optional(Id),
  reason: Type.Optional(Nullable(Type.String({ description: 'why a transfer failed or came back; the question finance asked about a payee change' }))),
  link: Type.Optional(Type.String({ description: 'where to act (e.g. the payee record to fix bank details)' })),
  items: Type.Optional(
    Type.Array(Type.Object({ item_id: Id, hacker_id: Id, status: Type.String(), reason: Nullable(Type.String()) }), {
      description: 'payout_run_needs_attention: each failed or returned item with its reason',
    }),
  ),
});
export const Tasks = Type.Object({ items: Type.Array(Task) });
