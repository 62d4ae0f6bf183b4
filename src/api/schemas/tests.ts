// Request and response shapes of A/B tests: lists, one test with its live figures, verdicts, learnings,
// and the client site's assignment and event ingest.
import { Type } from 'typebox';
import { Actions, Id, Nullable, Tag, Timestamp } from './common.ts';

export const Reason = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false, examples: [{ reason: 'tracking tag fired twice on variant A' }] });
export const Learnings = Type.Object(
  { learnings: Type.String({ minLength: 1, maxLength: 10_000 }), tags: Type.Optional(Type.Array(Tag, { maxItems: 20, uniqueItems: true })) },
  { additionalProperties: false, examples: [{ learnings: 'Fewer fields beat reassurance badges', tags: ['forms'] }] },
);
export const TestStatus = Type.Union(['running', 'completed', 'invalid', 'cancelled'].map((s) => Type.Literal(s)));
export const TestSummary = Type.Object({
  id: Id,
  cycle_id: Id,
  offer_id: Id,
  page_id: Id,
  engagement_id: Id,
  client_id: Id,
  month: Type.String(),
  metric: Type.String(),
  status: Type.String(),
  planned_sample_total: Type.Integer(),
  stop_reason: Nullable(Type.String()),
  started_at: Timestamp,
  stopped_at: Nullable(Timestamp),
  outcome: Nullable(Type.String({ description: 'final verdict as it stands now (invalidated → invalid)' })),
  invalidated: Type.Boolean(),
});
// Every figure the engine returned (src/domain/stats/types.ts); further fields pass through.
export const VariantResult = Type.Object(
  {
    arm: Type.String(),
    expected: Type.Optional(Type.Number({ description: 'the effect (relative lift by default)' })),
    ci: Type.Optional(Type.Array(Nullable(Type.Number()), { description: '[low, high]; null = unbounded' })),
    uplift_stddev: Type.Optional(Type.Number()),
    p_value: Type.Optional(Type.Number()),
    chance_to_win: Type.Optional(Type.Number()),
    risk: Type.Optional(Type.Array(Type.Number())),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export const VerdictResult = Type.Object(
  {
    variants: Type.Array(VariantResult, { description: 'one per treatment, compared with the control' }),
    srm_p_value: Type.Optional(Type.Number()),
    decision: Type.Object({ outcome: Type.String(), arm: Type.Optional(Type.String()), reason: Type.Optional(Type.String()) }, { additionalProperties: true }),
  },
  { additionalProperties: true, description: 'every figure the engine returned: per variant lift, CI, p-value; srm_p_value; decision' },
);
export const Verdict = Type.Object({
  id: Id,
  test_id: Id,
  kind: Type.String({ description: 'interim (one per check) or final' }),
  check_no: Type.Integer(),
  engine: Type.String(),
  outcome: Type.String(),
  winner_variant_id: Nullable(Id),
  request: Type.Unknown({ description: 'the verdict engine request (arms, weights, settings)' }),
  result: Type.Unsafe<unknown>(VerdictResult),
  invalidated_at: Nullable(Timestamp),
  invalidation_reason: Nullable(Type.String()),
  invalidated_by: Nullable(Id),
  created_at: Timestamp,
});
export const Arm = Type.Object({ variant_id: Id, arm: Type.String(), n: Type.Integer(), conversions: Type.Integer(), sum: Type.Number(), sum_squares: Type.Number() });
export const Variant = Type.Object({ id: Id, test_id: Id, arm: Type.String(), position: Type.Integer(), proposal_id: Nullable(Id), weight: Type.Number() });
export const Learning = Type.Object({ id: Id, test_id: Id, text: Type.String(), author_user_id: Id, author_name: Type.String(), created_at: Timestamp });
export const TestDetail = Type.Object({
  id: Id,
  cycle_id: Id,
  offer_id: Id,
  page_id: Id,
  engagement_id: Id,
  client_id: Id,
  metric: Type.String(),
  status: Type.String(),
  planned_sample_total: Type.Integer(),
  baseline_rate: Nullable(Type.Number()),
  workflow_id: Type.String(),
  stop_reason: Nullable(Type.String()),
  stopped_by: Nullable(Id),
  started_at: Timestamp,
  stopped_at: Nullable(Timestamp),
  variants: Type.Array(Variant),
  arms: Type.Array(Arm),
  final_verdict: Nullable(Verdict),
  interim_checks: Type.Integer({ description: 'how many interim verdicts there are: GET /v1/tests/:id/verdicts pages through them' }),
  learnings: Type.Array(Learning),
  kill_switch: Type.Boolean({ description: 'on: the test and its served winner are left out of the site config' }),
  serving: Type.Boolean({ description: "its winner is served now: the page's control, not shipped, not killed" }),
  shipped_at: Nullable(Timestamp),
  apply_failures: Type.Record(Type.String(), Type.Object({ visitors: Type.Integer({ description: "visitors whose arm's changes failed to apply" }), share: Type.Number({ description: "of the arm's visitors (exposed or failed)" }) }), { description: 'per arm' }),
  health_warnings: Type.Array(Type.String(), { description: "e.g. an arm that failed to apply for ≥ 5% of its visitors: its figures do not measure the change" }),
  actions: Actions(['stop', 'invalidate', 'add_learnings', 'kill_switch', 'mark_shipped'] as const),
});
export const KillSwitchBody = Type.Object({ on: Type.Boolean() }, { additionalProperties: false, examples: [{ on: true }] });
export const TestKillSwitch = Type.Object({ test_id: Id, kill_switch: Type.Boolean() });
export const Shipped = Type.Object({ test_id: Id, shipped_at: Timestamp, serving: Type.Boolean() });
export const TestListQuery = { engagement_id: Type.Optional(Id), status: Type.Optional(TestStatus) };
export const Stopping = Type.Object({ test_id: Id, stopping: Type.Boolean() });
export const Invalidated = Type.Object({ test_id: Id, invalidated: Type.Boolean(), reversed: Type.Integer(), control_restored: Type.Boolean() });
export const TestLearnings = Type.Object({ test_id: Id, learnings: Type.Array(Learning) });

// The client site's traffic: a visitor's variant and the exposures and conversions it posts.
const ExternalId = Type.String({ minLength: 1, maxLength: 200 });

export const AssignmentQuery = Type.Object({ visitor: ExternalId }, { additionalProperties: false });
export const AssignmentBody = Type.Object({ test_id: Id, visitor_id: Type.String(), variant_id: Id, arm: Type.String() });

const Event = Type.Object(
  {
    event_id: ExternalId,
    visitor_id: ExternalId,
    type: Type.Enum(['exposure', 'conversion']),
    value: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1e12, description: 'e.g. revenue in yen of a conversion; summed per visitor' }),
    ),
    occurred_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export const EventsBody = Type.Object(
  { events: Type.Array(Event, { minItems: 1, maxItems: 5000 }) },
  { additionalProperties: false, examples: [{ events: [{ event_id: 'v1-exp', visitor_id: 'v1', type: 'exposure' }, { event_id: 'v1-buy', visitor_id: 'v1', type: 'conversion', value: 8000 }] }] },
);
export const IngestBody = Type.Object({
  accepted: Type.Integer({ description: 'events recorded by this call' }),
  duplicates: Type.Integer({ description: 'events whose id was already recorded for the test' }),
});
