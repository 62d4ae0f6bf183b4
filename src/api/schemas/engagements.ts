// Request and response shapes of engagements and their sub-resources (settings, pages, team, timeline).
import { Type } from 'typebox';
import { TEAM_DEFAULTS } from '../../domain/network/teams.ts';
import { Actions, Id, Month, Nullable, OfferKind, Tag, Timestamp, WaitingForCode, Yen } from './common.ts';

export const EngagementStatus = Type.Union([Type.Literal('active'), Type.Literal('ending'), Type.Literal('ended')]);

export const Engagement = Type.Object({
  id: Id,
  client_id: Id,
  cs_manager_id: Id,
  offer_mode: OfferKind,
  monthly_fee_yen: Type.Integer(),
  start_month: Type.String(),
  current_month: Nullable(Type.String()),
  status: EngagementStatus,
  workflow_id: Type.String(),
  month_length_seconds: Nullable(Type.Integer()),
  end_reason: Nullable(Type.String()),
  ends_at: Nullable(Timestamp),
  ended_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const WorkflowState = Type.Object({
  workflow_id: Type.String(),
  execution_status: Type.String({ description: "Temporal's execution status: RUNNING, COMPLETED, … or NOT_FOUND; UNAVAILABLE when Temporal did not answer (the rest is the database's view)" }),
  live: Nullable(
    Type.Object({
      status: EngagementStatus,
      month: Type.String(),
      monthsCompleted: Type.Integer(),
      monthEndsAt: Type.String(),
      endReason: Type.Optional(Type.String()),
    }),
  ),
});

const Seconds = (d: string) => Type.Integer({ minimum: 1, maximum: 366 * 86400, description: `${d} (seconds)` });
const settingsFields = {
  adoption_fee_yen: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'paid per selected proposal' }),
  win_bonus_yen: Type.Integer({ minimum: 0, maximum: 100_000_000, description: "paid to a winning variant's author" }),
  submission_fee_yen: Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'paid per proposal submitted (usually 0)' }),
  team_retainer_yen: Type.Integer({ minimum: 0, maximum: 100_000_000, description: "monthly retainer, split by each team member's share" }),
  planning_seconds: Seconds('planning window'),
  offer_window_seconds: Seconds('proposal window per offer'),
  selection_seconds: Seconds('selection window'),
  test_max_seconds: Seconds('maximum test duration'),
  interim_check_seconds: Seconds('interval between interim verdicts'),
  learning_seconds: Seconds('knowledge capture window'),
  qa_extension_seconds: Seconds('an answer published this close to an offer\'s deadline moves it by as much, once (default a day)'),
  min_proposals: Type.Integer({ minimum: 1, maximum: 500, description: 'fewer by the deadline: extend once and widen' }),
  max_proposals_per_hacker: Type.Integer({ minimum: 1, maximum: 20 }),
  targeted_top_n: Type.Integer({ minimum: 1, maximum: 3600, description: 'hackers invited to a targeted offer' }),
  verdict_engine: Type.Union([Type.Literal('frequentist'), Type.Literal('bayesian'), Type.Literal('sequential')]),
  alpha: Type.Number({ minimum: 0.0001, maximum: 0.5, description: 'significance level' }),
  mde_relative: Type.Number({ minimum: 0.001, maximum: 10, description: 'smallest relative lift worth detecting; plans the sample' }),
  team_share_cap_percent: Type.Integer({ minimum: 1, maximum: 100, description: "largest share one growth-team member may give this engagement (default 50): no client locks a hacker" }),
  tuning_parameter: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'sequential tuning ≈ expected sample size' }),
  risk_threshold: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'bayesian: acceptable expected loss' }),
};

/** Any subset of the settings; the rest keep their value (defaults on create). */
export const SettingsPatch = Type.Object(
  Object.fromEntries(Object.entries(settingsFields).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof typeof settingsFields]: ReturnType<typeof Type.Optional<(typeof settingsFields)[K]>> },
  { additionalProperties: false, examples: [{ planning_seconds: 432000, mde_relative: 0.1, adoption_fee_yen: 150000 }] },
);
export const Settings = Type.Object({ engagement_id: Id, ...settingsFields });

export const NewPage = Type.Object(
  {
    url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
    page_type: Tag,
    baseline_rate: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: "the current page's conversion rate" }),
    daily_visitors: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
    value_per_conversion_yen: Yen,
  },
  { additionalProperties: false, examples: [{ url: 'https://shop.example/checkout', page_type: 'checkout', baseline_rate: 0.031, daily_visitors: 12000, value_per_conversion_yen: 8000 }] },
);
export const Page = Type.Object({
  id: Id,
  engagement_id: Id,
  url: Type.String(),
  page_type: Type.String(),
  baseline_rate: Type.Number(),
  daily_visitors: Type.Integer(),
  value_per_conversion_yen: Type.Integer(),
  control_description: Type.String({ description: 'what the page shows now (a winner replaces it)' }),
  control_since_test_id: Nullable(Id),
  created_at: Timestamp,
});

export const NewEngagement = Type.Object(
  {
    client_id: Id,
    cs_manager_id: Type.Optional(Id),
    offer_mode: OfferKind,
    monthly_fee_yen: Yen,
    start_month: Type.Optional(Month),
    month_length_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 * 24 * 3600, description: 'demo/test only: seconds per month' })),
    settings: Type.Optional(SettingsPatch),
    pages: Type.Optional(Type.Array(NewPage, { maxItems: 50 })),
  },
  { additionalProperties: false, examples: [{ client_id: 1, cs_manager_id: 2, offer_mode: 'targeted', monthly_fee_yen: 800000 }] },
);

export const EndRequest = Type.Object(
  {
    mode: Type.Union([Type.Literal('at_month_end'), Type.Literal('immediately')]),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  },
  { additionalProperties: false, examples: [{ mode: 'immediately', reason: 'contract terminated by the client' }] },
);

const TeamMember = Type.Object({ hacker_id: Id, share_percent: Type.Integer({ minimum: 1, maximum: 100, description: "percent of the hacker's time given to this client" }) }, { additionalProperties: false });
export const Team = Type.Object(
  {
    hacker_ids: Type.Optional(Type.Array(Id, { maxItems: 30, uniqueItems: true, description: 'members at the default share (10%)' })),
    members: Type.Optional(Type.Array(TeamMember, { maxItems: 30, description: 'members with their shares' })),
  },
  { additionalProperties: false, examples: [{ hacker_ids: [11, 12, 13] }, { members: [{ hacker_id: 11, share_percent: 10 }, { hacker_id: 12, share_percent: 20 }] }] },
);
export const TeamBody = Type.Object({
  engagement_id: Id,
  hacker_ids: Type.Array(Id),
  share_percent: Nullable(Type.Integer({ description: 'the common share when every member gives the same' })),
  members: Type.Array(Type.Object({ hacker_id: Id, display_name: Type.String(), share_percent: Type.Integer(), joined_at: Timestamp })),
});

const TimelineTest = Type.Object({
  id: Id,
  offer_id: Id,
  status: Type.String(),
  stop_reason: Nullable(Type.String()),
  outcome: Nullable(Type.String({ description: 'final verdict as it stands now: an invalidated one reads `invalid`' })),
  invalidated: Nullable(Type.Object({ at: Timestamp, reason: Nullable(Type.String()) })),
});
const TimelineDecision = Type.Object({
  kind: Type.String({ description: 'plan, selection, stop, learnings, invalidation, question, answer (Q&A on an offer)' }),
  summary: Type.String(),
  test_id: Nullable(Id),
  actor_user_id: Nullable(Id),
  actor_name: Nullable(Type.String()),
  actor_role: Nullable(Type.String()),
  created_at: Timestamp,
});
export const Timeline = Type.Object({
  engagement_id: Id,
  cycles: Type.Array(
    Type.Object({
      id: Id,
      month: Type.String(),
      phase: Type.String(),
      waiting_for: Nullable(Type.String()),
      ...WaitingForCode,
      due_at: Nullable(Timestamp),
      overdue: Type.Boolean(),
      end_reason: Nullable(Type.String()),
      report: Type.Unknown({ description: 'the cycle report once completed: tests, winners, monthly_revenue_uplift_yen' }),
      completed_at: Nullable(Timestamp),
      offers: Type.Array(Type.Object({ id: Id, kind: Type.String(), status: Type.String(), deadline: Timestamp, extended: Type.Boolean(), widen_reason: Nullable(Type.String()) })),
      tests: Type.Array(TimelineTest),
      decisions: Type.Array(TimelineDecision),
    }),
  ),
});

/** What the caller may do to one engagement (site_keys: open its client's site keys). */
export const EngagementActions = Actions(['end', 'change_settings', 'add_page', 'set_team', 'reassign', 'site_keys'] as const);

// The growth team's monthly review and its suggestions.
const Contribution = Type.Object({ hacker_id: Id, share_percent: Type.Integer(), proposals: Type.Integer(), adoptions: Type.Integer(), wins: Type.Integer(), median_response_hours: Nullable(Type.Number()) });
export const Suggestion = Type.Object({
  id: Id,
  out_hacker_id: Id,
  in_hacker_id: Id,
  share_percent: Type.Integer(),
  reason: Type.String(),
  status: Type.String({ description: 'pending, accepted or dismissed' }),
  decided_by: Nullable(Id),
  decided_at: Nullable(Timestamp),
  decision_reason: Nullable(Type.String()),
  created_at: Timestamp,
});
const Review = Type.Object({ id: Id, engagement_id: Id, month: Type.String(), members: Type.Array(Contribution), suggestions: Type.Array(Suggestion), created_at: Timestamp });
export const SuggestionDecision = Type.Object(
  { decision: Type.Union([Type.Literal('accept'), Type.Literal('dismiss')]), reason: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false, examples: [{ decision: 'accept', reason: 'no proposal in two months; the suggested hacker won twice in finance' }] },
);
export const SuggestionParams = Type.Object({ id: Id, suggestionId: Id }, { additionalProperties: false });
/** What the caller may do to the team: set it, form it from the ranking, decide a review's suggestion. */
export const TeamActions = Actions(['set_team', 'form_team', 'decide_suggestion'] as const);
export const TeamWithReview = Type.Intersect([TeamBody, Type.Object({ review: Nullable(Review), actions: TeamActions })]);
export const FormTeam = Type.Object(
  {
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, default: TEAM_DEFAULTS.size })),
    share_percent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: TEAM_DEFAULTS.sharePercent })),
    skills: Type.Optional(Type.Array(Tag, { maxItems: 10 })),
  },
  { additionalProperties: false, examples: [{ size: 10, share_percent: 10, skills: ['form'] }] },
);

export const EngagementListQuery = { client_id: Type.Optional(Id), status: Type.Optional(EngagementStatus) };
/** Who an engagement is for and who runs it, by name (lists and headers never say "Engagement 1" alone). */
const EngagementNames = { client_name: Type.String(), cs_manager_name: Nullable(Type.String()) };
export const EngagementListItem = Type.Object({ ...Engagement.properties, ...EngagementNames });
export const EngagementDetail = Type.Intersect([Engagement, Type.Object({ ...EngagementNames, workflow: WorkflowState, actions: EngagementActions })]);
export const Pages = Type.Object({ items: Type.Array(Page) });
export const CsManagerBody = Type.Object({ cs_manager_id: Id }, { additionalProperties: false, examples: [{ cs_manager_id: 7 }] });
