// Request and response shapes of A/B tests: lists, one test with its live figures, verdicts, learnings,
// and the client site's assignment and event ingest.
import { Type } from 'typebox';
import { Actions, Id, Message, Nullable, Tag, Timestamp } from './common.ts';
import { ArmImages } from './renders.ts';

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
  request: Type.Unknown({ description: 'the verdict engine request: a test-verdict request (metrics with their arms, weights, correction, settings); verdicts from before issue 25: the single-metric request (arms, weights, settings)' }),
  result: Type.Unsafe<unknown>(VerdictResult),
  invalidated_at: Nullable(Timestamp),
  invalidation_reason: Nullable(Type.String()),
  invalidated_by: Nullable(Id),
  created_at: Timestamp,
});
export const Arm = Type.Object({ variant_id: Id, arm: Type.String(), n: Type.Integer(), conversions: Type.Integer(), sum: Type.Number(), sum_squares: Type.Number() });
/** An arm on the test page (issue 23): the proposal version it runs and its screenshots (the control's: the page its variants were compared with). */
export const TestArm = Type.Intersect([
  Arm,
  Type.Object({
    proposal: Nullable(Type.Object({ id: Id, version: Type.Integer(), title: Type.String(), author: Type.String({ description: "the hacker's display name" }) })),
    images: Type.Array(ArmImages),
  }),
]);
export const Variant = Type.Object({ id: Id, test_id: Id, arm: Type.String(), position: Type.Integer(), proposal_id: Nullable(Id), weight: Type.Number() });
export const Learning = Type.Object({ id: Id, test_id: Id, text: Type.String(), author_user_id: Id, author_name: Type.String(), created_at: Timestamp });
// A test's metrics (issue 25): configured by CS before traffic; read from the aggregates.
const SEGMENT_VALUES = ['device:phone', 'device:pc', 'device:tablet', 'visitor:new', 'visitor:returning', 'source:search', 'source:social', 'source:ads', 'source:direct', 'source:other'];
const MetricSetting = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    role: Type.Enum(['primary', 'secondary', 'guardrail']),
    kind: Type.Enum(['binomial', 'mean', 'ratio'], { description: 'binomial: visitors with the event; mean: Σ per visitor; ratio: Σ values / Σ count of the event (average order value)' }),
    event: Type.String({ pattern: '^([a-z][a-z0-9_]{0,39}|\\*)$', description: "the SDK's track(event) name; * = any conversion" }),
    per: Type.Optional(Type.Enum(['value', 'count'], { description: "mean metrics: Σ of the event's values (revenue) or of its count (items); default value" })),
    inverse: Type.Optional(Type.Boolean({ description: 'lower is better' })),
    alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 0.5, description: "a guardrail's one-sided α" })),
    cap_percentile: Type.Optional(Type.Number({ exclusiveMinimum: 0.5, exclusiveMaximum: 1, description: 'cap each visitor’s value at this percentile of all visitors (winsorisation)' })),
  },
  { additionalProperties: false },
);
export const MetricsBody = Type.Object(
  {
    metrics: Type.Array(MetricSetting, { minItems: 1, maxItems: 10 }),
    decision_segment: Type.Optional(Nullable(Type.Enum(SEGMENT_VALUES, { description: 'pre-registered decision population: the verdict is computed on it only' }))),
  },
  {
    additionalProperties: false,
    examples: [{ metrics: [{ name: 'conversion', role: 'primary', kind: 'binomial', event: 'order' }, { name: 'aov', role: 'guardrail', kind: 'ratio', event: 'order', alpha: 0.05, cap_percentile: 0.99 }] }],
  },
);
const MetricConfigView = Type.Object({
  name: Type.String(), role: Type.String(), kind: Type.String(), event: Type.String(), per: Type.String(), inverse: Type.Boolean(), alpha: Nullable(Type.Number()), cap_percentile: Nullable(Type.Number()),
});
export const MetricsSet = Type.Object({ test_id: Id, metrics: Type.Array(MetricConfigView), decision_segment: Nullable(Type.String()) });
const Interval = Type.Array(Nullable(Type.Number()), { minItems: 2, maxItems: 2 });
export const MetricReport = Type.Object(
  {
    decision_segment: Nullable(Type.String()),
    correction: Type.Object({ method: Type.String(), comparisons: Type.Integer() }),
    metrics: Type.Array(
      Type.Object({
        name: Type.String(),
        role: Type.String(),
        kind: Type.String(),
        inverse: Type.Boolean(),
        alpha: Type.Number(),
        cuped: Type.Object({ applied: Type.Boolean(), pre_share: Type.Number(), off_reason: Type.Optional(Type.String()) }),
        arms: Type.Array(Type.Object({ arm: Type.String(), n: Type.Number(), mean: Type.Number() })),
        variants: Type.Array(
          Type.Object({
            arm: Type.String(),
            expected: Type.Number(),
            ci: Interval,
            p_value: Nullable(Type.Number()),
            p_value_adjusted: Nullable(Type.Number()),
            worse: Type.Optional(Type.Boolean({ description: 'guardrails: significantly worse (one-sided, at its α)' })),
            cuped: Type.Optional(Type.Object({ theta: Type.Number(), variance_reduction: Type.Number() })),
          }),
        ),
      }),
    ),
    segments: Type.Array(
      Type.Object({
        dimension: Type.String(),
        value: Type.String(),
        users: Type.Array(Type.Number(), { description: 'exposed visitors per arm' }),
        srm_p_value: Type.Number(),
        srm: Type.Boolean({ description: "this segment's split differs from the design" }),
        variants: Type.Array(Type.Object({ arm: Type.String(), expected: Type.Number(), ci: Interval, p_value: Nullable(Type.Number()) })),
      }),
    ),
    segments_browsed: Type.Integer({ description: 'segments shown: with many, one may differ by chance (multiple testing); a segment never changes the verdict' }),
  },
  { description: "the test's metrics, guardrails and segments, from the aggregates" },
);
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
  arms: Type.Array(TestArm),
  final_verdict: Nullable(Verdict),
  interim_checks: Type.Integer({ description: 'how many interim verdicts there are: GET /v1/tests/:id/verdicts pages through them' }),
  hypothesis: Nullable(Type.String({ description: "the offer's hypothesis: what the test tries" })),
  learnings: Type.Array(Learning),
  kill_switch: Type.Boolean({ description: 'on: the test and its served winner are left out of the site config' }),
  serving: Type.Boolean({ description: "its winner is served now: the page's control, not shipped, not killed" }),
  shipped_at: Nullable(Timestamp),
  apply_failures: Type.Record(Type.String(), Type.Object({ visitors: Type.Integer({ description: "visitors whose arm's changes failed to apply" }), share: Type.Number({ description: "of the arm's visitors (exposed or failed)" }) }), { description: 'per arm' }),
  health_warnings: Type.Array(Type.String(), { description: "e.g. an arm that failed to apply for ≥ 5% of its visitors: its figures do not measure the change" }),
  warnings: Type.Array(Message, { description: 'test.no_traffic {hours}: running with no exposure that long after it started (check the site key and the SDK snippet)' }),
  metric_report: MetricReport,
  actions: Actions(['stop', 'invalidate', 'add_learnings', 'set_metrics', 'kill_switch', 'mark_shipped'] as const),
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

/** The visitor's facts and a conversion's name (issue 25), shared by the token and the site-key routes. */
export const EventFacts = {
  event: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: "a conversion's name (order, signup…): the test's metrics read events by name" })),
  device: Type.Optional(Type.Enum(['phone', 'pc', 'tablet'])),
  visitor_type: Type.Optional(Type.Enum(['new', 'returning'])),
  source: Type.Optional(Type.Enum(['search', 'social', 'ads', 'direct', 'other'], { description: "from the landing URL's utm_* or the referrer" })),
};
const Event = Type.Object(
  {
    event_id: ExternalId,
    visitor_id: ExternalId,
    ...EventFacts,
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
