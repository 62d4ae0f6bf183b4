// The database as Kysely sees it: one interface per table. Money is integer yen (bigint columns,
// read as JS numbers: see db/index.ts), times are timestamptz (UTC), months are 'YYYY-MM' text.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { BillingTables } from './billing-schema.ts';
// The vocabulary (roles, phases, kinds, statuses and their value lists) lives in src/shared/, which
// workflows and pure rules import without the database.
import type { Role } from '../shared/actor.ts';
import type { CyclePhase, DecisionKind, LedgerKind, OfferKind, PageControl, ProposalStatus, ReviewDecision, ReviewStatus, TestStatus } from '../shared/cycles.ts';
import type { ChangeSet } from '../shared/changes.ts';
import type { RenderCheck } from '../domain/renders/checks.ts';
import type { HackerKind, PayoutItemStatus, PayoutRunStatus, Residency, TransferOutcome, TransferResultSource } from '../shared/payouts.ts';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface ClientsTable {
  id: Generated<number>;
  name: string;
  industry: string;
  /** Persistent holdout: percent of the site's visitors who always get the original page (0011). */
  holdout_percent: ColumnType<number, number | undefined, number>;
  /** Every change on the client's site off while on (0018). */
  kill_switch: ColumnType<boolean, never, boolean>;
  created_at: CreatedAt;
}

export interface HackersTable {
  id: Generated<number>;
  display_name: string;
  kind: HackerKind;
  residency: Residency;
  skills: string[];
  industries: string[];
  status: Generated<'active' | 'inactive'>;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<number>;
  name: string;
  role: Role;
  /** Set exactly when role = 'client': the tenant this user belongs to. */
  client_id: number | null;
  /** Set exactly when role = 'hacker'. */
  hacker_id: number | null;
  /** Set exactly when role = 'partner' (migration 0008). */
  partner_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** A finance user an admin allowed to read the My Number vault (0024). */
  my_number_access: ColumnType<boolean, boolean | undefined, boolean>;
  /** Where notifications are e-mailed (0025); null: none are sent. */
  email: ColumnType<string | null, string | null | undefined, string | null>;
  /** The language of their e-mails (0025). */
  locale: ColumnType<'ja' | 'en', 'ja' | 'en' | undefined, 'ja' | 'en'>;
  /** Local hour (Asia/Tokyo) of their daily digest (0025). */
  digest_hour: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  /** sha256 of the token; the token itself is shown once and never stored. */
  token_hash: string;
  label: string | null;
  created_at: CreatedAt;
  revoked_at: Timestamp | null;
  revoked_by: number | null;
  /** null: never expires (the dev bootstrap admin's token). */
  expires_at: Timestamp | null;
}

export interface EngagementsTable {
  id: Generated<number>;
  client_id: number;
  cs_manager_id: number;
  offer_mode: OfferKind;
  monthly_fee_yen: number;
  /** First Tokyo month of the contract, YYYY-MM. */
  start_month: string;
  /** Month the workflow is in now (updated at each boundary). */
  current_month: string | null;
  status: 'active' | 'ending' | 'ended';
  workflow_id: string;
  /** Demo/test knob: seconds per "month" instead of calendar months. */
  month_length_seconds: number | null;
  end_reason: string | null;
  ends_at: Timestamp | null;
  ended_at: Timestamp | null;
  idempotency_key: string | null;
  created_by: number;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface EngagementSettingsTable {
  engagement_id: number;
  adoption_fee_yen: ColumnType<number, number | undefined, number>;
  win_bonus_yen: ColumnType<number, number | undefined, number>;
  submission_fee_yen: ColumnType<number, number | undefined, number>;
  team_retainer_yen: ColumnType<number, number | undefined, number>;
  /** Largest share one growth-team member may give this engagement (0011). */
  team_share_cap_percent: ColumnType<number, number | undefined, number>;
  planning_seconds: ColumnType<number, number | undefined, number>;
  offer_window_seconds: ColumnType<number, number | undefined, number>;
  selection_seconds: ColumnType<number, number | undefined, number>;
  test_max_seconds: ColumnType<number, number | undefined, number>;
  interim_check_seconds: ColumnType<number, number | undefined, number>;
  learning_seconds: ColumnType<number, number | undefined, number>;
  min_proposals: ColumnType<number, number | undefined, number>;
  max_proposals_per_hacker: ColumnType<number, number | undefined, number>;
  targeted_top_n: ColumnType<number, number | undefined, number>;
  verdict_engine: ColumnType<'frequentist' | 'bayesian' | 'sequential', string | undefined, string>;
  alpha: ColumnType<number, number | undefined, number>;
  mde_relative: ColumnType<number, number | undefined, number>;
  tuning_parameter: ColumnType<number, number | undefined, number>;
  risk_threshold: ColumnType<number, number | undefined, number>;
  /** Multiple-comparison correction of the decision rule (0021). */
  correction: ColumnType<'holm' | 'benjamini-hochberg' | 'none', string | undefined, string>;
  /** An addendum this close to an offer's deadline moves it by as much, once (0028; default a day). */
  qa_extension_seconds: ColumnType<number, number | undefined, number>;
}

export interface PagesTable {
  id: Generated<number>;
  engagement_id: number;
  url: string;
  page_type: string;
  /** Conversion rate of the current control, 0..1 (a rate, not money). */
  baseline_rate: number;
  daily_visitors: number;
  value_per_conversion_yen: number;
  control_description: Generated<string>;
  control_since_test_id: number | null;
  created_at: CreatedAt;
}

export interface GrowthTeamMembersTable {
  engagement_id: number;
  hacker_id: number;
  share_percent: Generated<number>;
  /** When the hacker joined this team (0011). */
  joined_at: Generated<Date>;
}

export interface CyclesTable {
  id: Generated<number>;
  engagement_id: number;
  month: string;
  phase: ColumnType<CyclePhase, CyclePhase | undefined, CyclePhase>;
  overdue: Generated<boolean>;
  /** Who or what the cycle waits for now, for people and the tasks list. */
  waiting_for: string | null;
  due_at: Timestamp | null;
  workflow_id: string;
  report: unknown | null;
  /** Why an abandoned or failed cycle ended. */
  end_reason: string | null;
  completed_at: Timestamp | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
}

export interface HypothesesTable {
  id: Generated<number>;
  cycle_id: number;
  ordinal: number;
  author: 'client' | 'cs';
  author_user_id: number;
  problem: string;
  page_id: number;
  metric: 'conversion' | 'revenue';
  skills: string[];
  offer_kind: OfferKind | null;
  created_at: CreatedAt;
}

export interface OffersTable {
  id: Generated<number>;
  cycle_id: number;
  hypothesis_id: number;
  kind: OfferKind;
  brief: string;
  adoption_fee_yen: number;
  win_bonus_yen: number;
  submission_fee_yen: number;
  deadline: Timestamp;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
  extended: Generated<boolean>;
  widen_reason: string | null;
  /** The deadline was moved once for a late addendum (0028). */
  qa_extended: Generated<boolean>;
  created_at: CreatedAt;
}

export interface OfferInvitationsTable {
  offer_id: number;
  hacker_id: number;
  reason: 'targeted_rank' | 'team' | 'widened';
  rank: number | null;
  score: number | null;
  /** The parts of the score (domain/cycles/audience.ts explainScore), 0011. */
  explanation: ColumnType<unknown, string | null | undefined, never>;
  created_at: CreatedAt;
}

export interface ProposalsTable {
  id: Generated<number>;
  offer_id: number;
  hacker_id: number;
  title: string;
  description: string;
  design_url: string;
  status: ColumnType<ProposalStatus, ProposalStatus | undefined, ProposalStatus>;
  idempotency_key: string | null;
  selected_by: number | null;
  selected_at: Timestamp | null;
  /** The current version (proposal_versions), 0017; title, description and design_url mirror it. */
  version: ColumnType<number, number | undefined, number>;
  /** CS's review of the current version (0020): pending on submit and on every revision. */
  review_status: ColumnType<ReviewStatus, ReviewStatus | undefined, ReviewStatus>;
  /** The last review's comment (a return's reason), who and when; kept through a revision. */
  review_comment: string | null;
  reviewed_by: number | null;
  reviewed_at: Timestamp | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
}

/** A proposal's versions: a revision adds one, none is edited (0017). */
export interface ProposalVersionsTable {
  id: Generated<number>;
  proposal_id: number;
  version: number;
  title: string;
  description: string;
  design_url: string;
  /** The validated, sanitised change set (src/shared/changes.ts); `{}` when none. */
  changes: ColumnType<ChangeSet, string | undefined, never>;
  /** sha256 (hex) of changes.js, which an approval must name; null without a script. */
  js_sha256: string | null;
  js_approved_by: number | null;
  js_approved_at: Timestamp | null;
  created_at: CreatedAt;
}

/** Every pass and return of a proposal, with the version it was about (0020). */
export interface ProposalReviewsTable {
  id: Generated<number>;
  proposal_id: number;
  version: number;
  decision: ReviewDecision;
  comment: string | null;
  actor_user_id: number;
  created_at: CreatedAt;
}

/** A proposal version's screenshots at one width (0019): pending → rendered | failed (src/renders/versions.ts). */
export interface RendersTable {
  id: Generated<number>;
  proposal_version_id: number;
  device: 'pc' | 'phone';
  /** sha256 of the change set + page URL + width: the same key reuses a rendered result. */
  render_key: string;
  status: ColumnType<'pending' | 'rendered' | 'failed', 'pending' | undefined, 'pending' | 'rendered' | 'failed'>;
  /** Images by sha256 in the blob store (src/blobs/store.ts); null until rendered. */
  control_sha256: string | null;
  control_thumb_sha256: string | null;
  control_width: number | null;
  control_height: number | null;
  variant_sha256: string | null;
  variant_thumb_sha256: string | null;
  variant_width: number | null;
  variant_height: number | null;
  checks: ColumnType<RenderCheck[], string | undefined, string>;
  /** Why it failed: a code (page_unreachable, timeout…). */
  reason: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  rendered_at: Date | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface TestsTable {
  id: Generated<number>;
  offer_id: number;
  cycle_id: number;
  page_id: number;
  metric: 'conversion' | 'revenue';
  status: ColumnType<TestStatus, 'running' | undefined, TestStatus>;
  planned_sample_total: number;
  /** The client's holdout percent when the test was created (0011, set by a trigger): never changes. */
  holdout_percent: ColumnType<number, never, never>;
  /** The page's baseline conversion rate when the test was planned (what the variants had to beat). */
  baseline_rate: number | null;
  workflow_id: string;
  stop_reason: string | null;
  stopped_by: number | null;
  replaced_control: ColumnType<PageControl | null, string | null | undefined, string | null>;
  started_at: CreatedAt;
  stopped_at: Timestamp | null;
  /** What the winning arm's visitors saw, frozen by the final verdict; served while the page's control (0018). */
  served_changes: ColumnType<ChangeSet | null, string | null | undefined, string | null>;
  /** CS: the site's own code has the winner now, so it is no longer served (0018). */
  shipped_at: ColumnType<Date | null, never, Date | string | null>;
  shipped_by: ColumnType<number | null, never, number | null>;
  /** Absent from the site config while on (0018). */
  kill_switch: ColumnType<boolean, never, boolean>;
  /** The named events its metrics read, in visitor_facts slot order c1..c3 (0021). */
  events: ColumnType<string[], string[] | undefined, string[]>;
  /** Pre-registered decision population, e.g. 'device:phone'; null = everyone (0021). */
  decision_segment: ColumnType<string | null, string | null | undefined, string | null>;
  /** Tests of the page in the 14 days before this one: the CUPED pre-period (0021). */
  pre_test_ids: ColumnType<number[], number[] | undefined, number[]>;
}

/** A test's metric (0021); a test without any measures conversion. */
export interface TestMetricsTable {
  test_id: number;
  position: number;
  name: string;
  role: 'primary' | 'secondary' | 'guardrail';
  kind: 'binomial' | 'mean' | 'ratio';
  event: string;
  per: ColumnType<'value' | 'count', 'value' | 'count' | undefined, 'value' | 'count'>;
  inverse: ColumnType<boolean, boolean | undefined, boolean>;
  alpha: number | null;
  cap_percentile: number | null;
}

export interface VariantsTable {
  id: Generated<number>;
  test_id: number;
  /** 'control', then 'A', 'B', ... in position order. */
  arm: string;
  position: number;
  proposal_id: number | null;
  /** The proposal version this arm runs, frozen at selection (0017); null for the control. */
  proposal_version_id: ColumnType<number | null, number | null | undefined, never>;
  weight: number;
}

export interface TestEventsTable {
  test_id: number;
  event_id: string;
  visitor_id: string;
  /** apply_failure (0018): the visitor's arm did not apply; never an exposure. */
  type: 'exposure' | 'conversion' | 'apply_failure';
  value: number | null;
  occurred_at: Timestamp;
  /** The event's name (`order`, `signup`, …; 0021); null for an unnamed conversion. */
  event: ColumnType<string | null, string | null | undefined, never>;
}

export interface VisitorFactsTable {
  test_id: number;
  visitor_id: string;
  variant_id: number;
  exposed: Generated<boolean>;
  conversions: Generated<number>;
  value_sum: Generated<number>;
  /** An apply_failure event came from this visitor (0018). */
  apply_failed: Generated<boolean>;
  /** Segment facts (0021), set by the first event that carries them. */
  device: string | null;
  visitor_type: string | null;
  source: string | null;
}

export interface VerdictsTable {
  id: Generated<number>;
  test_id: number;
  kind: 'interim' | 'final';
  check_no: number;
  engine: string;
  /** blocked_by_guardrail (0021): won on its goal, significantly worse on a guardrail. */
  outcome: 'winner' | 'loser' | 'inconclusive' | 'invalid' | 'blocked_by_guardrail';
  winner_variant_id: number | null;
  request: unknown;
  result: unknown;
  invalidated_at: Timestamp | null;
  invalidation_reason: string | null;
  invalidated_by: number | null;
  created_at: CreatedAt;
}

export interface KnowledgeEntriesTable {
  id: Generated<number>;
  /** Null for an entry imported from before the platform (0011). */
  test_id: number | null;
  client_id: number;
  engagement_id: number;
  page_id: number;
  page_type: string;
  industry: string;
  month: string;
  hypothesis: string;
  change: string;
  outcome: string;
  lift: number | null;
  ci_low: number | null;
  ci_high: number | null;
  tags: string[];
  learnings: string | null;
  /** The offer's Q&A addenda, numbered (0028). */
  addenda: ColumnType<string | null, string | null | undefined, string | null>;
  status: ColumnType<'draft' | 'final', 'draft' | 'final' | undefined, 'draft' | 'final'>;
  invalidated_at: Timestamp | null;
  invalidation_reason: string | null;
  /** Search columns (0011, domain/cycles/knowledge-search.ts): normalised text; tokens of change/learnings/page type/outcome and of hypothesis/tags (both with filter tokens). */
  search_text: ColumnType<string, string | undefined, string>;
  search_tokens: ColumnType<string[], string[] | undefined, string[]>;
  search_head_tokens: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
}

export interface KnowledgeLearningsTable {
  id: Generated<number>;
  test_id: number;
  author_user_id: number;
  text: string;
  unique_key: string;
  created_at: CreatedAt;
}

export interface CycleDecisionsTable {
  id: Generated<number>;
  cycle_id: number;
  test_id: number | null;
  kind: DecisionKind;
  actor_user_id: number | null;
  summary: string;
  unique_key: string;
  created_at: CreatedAt;
}

export interface EarningsLedgerTable {
  id: Generated<number>;
  /** `${kind}:${hacker}:${cycle}:${offer}`: one line per business fact, whatever the retries. */
  unique_key: string;
  hacker_id: number;
  /** Null for a managed retainer (0011): it belongs to no engagement. */
  engagement_id: number | null;
  cycle_id: number | null;
  offer_id: number | null;
  proposal_id: number | null;
  kind: LedgerKind;
  /** Integer yen, excluding consumption tax; negative only for reversals. */
  amount_yen: number;
  /** Withholding category of the work (design fees are subject; see payouts). */
  category: ColumnType<'design' | 'none', 'design' | 'none' | undefined, never>;
  month: string;
  delivered_at: Timestamp;
  reverses_id: number | null;
  description: string;
  created_at: CreatedAt;
}

export interface AlertsTable {
  id: Generated<number>;
  engagement_id: number;
  cycle_id: number | null;
  kind: string;
  message: string;
  unique_key: string;
  created_at: CreatedAt;
}

export interface PayeesTable {
  hacker_id: number;
  legal_name: string | null;
  address: string | null;
  treaty_form_filed: ColumnType<boolean, boolean | undefined, boolean>;
  treaty_limit_rate_bp: number | null;
  income_source: ColumnType<'domestic' | 'domestic_royalty' | 'foreign_service', string | undefined, string>;
  invoice_registration_number: string | null;
  invoice_registered_on: ColumnType<string | null, string | null | undefined, string | null>;
  invoice_expires_on: ColumnType<string | null, string | null | undefined, string | null>;
  default_category: ColumnType<'design' | 'none', 'design' | 'none' | undefined, 'design' | 'none'>;
  /** AES-256-GCM envelope (payouts/crypto.ts); never decrypted outside payouts code. */
  bank_encrypted: string | null;
  bank_masked: ColumnType<unknown | null, string | null | undefined, string | null>;
  updated_by: number | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  created_at: CreatedAt;
}

export interface PayoutRunsTable {
  id: Generated<number>;
  month: string;
  workflow_id: string;
  status: ColumnType<PayoutRunStatus, PayoutRunStatus | undefined, PayoutRunStatus>;
  payment_date: ColumnType<string | null, string | null | undefined, string | null>;
  prepared_by: number | null;
  last_changed_by: number | null;
  decided_by: number | null;
  decided_at: Timestamp | null;
  decision_reason: string | null;
  remitted_on: ColumnType<string | null, string | null | undefined, string | null>;
  remitted_by: number | null;
  remittance_note: string | null;
  waiting_for: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** 0022: where a needs_attention run goes back to once its failed/returned items are resolved. */
  resume_status: ColumnType<'paying' | 'remitting' | 'completed' | null, 'paying' | 'remitting' | 'completed' | null | undefined, 'paying' | 'remitting' | 'completed' | null>;
  /** 0023: how often the run, completed empty, was drafted again. */
  redrafts: ColumnType<number, number | undefined, number>;
}

export interface PayoutItemsTable {
  id: Generated<number>;
  run_id: number;
  hacker_id: number;
  status: PayoutItemStatus;
  payee_type: 'resident_individual' | 'corporation' | 'nonresident_individual';
  line_count: number;
  fee_total: number;
  withholding_base: number;
  withholding: number;
  gross_payable: number;
  net_transfer: number;
  flags: ColumnType<string[], string[] | undefined, string[]>;
  hold_reason: string | null;
  /** 0023: why a held item is not paid (domain/payouts/payability.ts), e.g. no_bank_details. */
  hold_code: ColumnType<string | null, string | null | undefined, string | null>;
  failure_reason: string | null;
  bank_reference: string | null;
  /** When the transfer was handed to the bank (file / adapter); the bank executes it on the run's payment_date. */
  submitted_at: Timestamp | null;
  /** Σ |negative lines| (e.g. reversed bonuses) netted into this payment. */
  deductions_yen: ColumnType<number, number | undefined, number>;
  /** Consumption tax added for a payee registered as a qualified-invoice issuer on the payment date (0009). */
  consumption_tax_yen: ColumnType<number, number | undefined, number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** 0022: the transfer attempt (a retry pays again under `<run>:<payee>:<attempt>`, in file `attempt`). */
  attempt: ColumnType<number, number | undefined, number>;
  /** Who first downloaded the Zengin file holding the current attempt, and when. */
  downloaded_by: number | null;
  downloaded_at: Timestamp | null;
  /** When the last result (confirmed / failed / returned) was recorded. */
  result_at: Timestamp | null;
  /** A failed or returned item's resolution: moved to the next run, or cancelled (four eyes). */
  resolution: ColumnType<'moved' | 'cancelled' | null, 'moved' | 'cancelled' | null | undefined, 'moved' | 'cancelled' | null>;
  resolution_reason: string | null;
  resolved_by: number | null;
  resolved_at: Timestamp | null;
  cancel_requested_by: number | null;
  cancel_requested_at: Timestamp | null;
  cancel_reason: string | null;
}

/** Every transfer result recorded (0022): the bank's file, a manual mark or an adapter; once per key. */
export interface PayoutTransferResultsTable {
  id: Generated<number>;
  run_id: number;
  item_id: number;
  hacker_id: number;
  attempt: number;
  outcome: TransferOutcome;
  reason: string | null;
  source: TransferResultSource;
  actor_user_id: number | null;
  key: string;
  created_at: CreatedAt;
}

/** A payee a run did not pay because its unpaid balance was ≤ 0: carried forward to the next run. */
export interface PayoutCarryForwardsTable {
  run_id: number;
  hacker_id: number;
  balance_yen: number;
  line_count: number;
  created_at: CreatedAt;
}

export interface PayoutItemLinesTable {
  item_id: number;
  ledger_id: number;
  released: Generated<boolean>;
}

export interface PayoutPaymentsTable {
  id: Generated<number>;
  idempotency_key: string;
  run_id: number;
  item_id: number;
  hacker_id: number;
  amount: number;
  status: ColumnType<'pending' | 'handed_to_bank' | 'failed', 'pending' | 'handed_to_bank' | 'failed' | undefined, 'pending' | 'handed_to_bank' | 'failed'>;
  /** 0022: the item's attempt this payment belongs to (unique per item and attempt). */
  attempt: ColumnType<number, number | undefined, never>;
  reference: string | null;
  attempts: Generated<number>;
  claim_token: string | null;
  claimed_until: Timestamp | null;
  created_at: CreatedAt;
  completed_at: Timestamp | null;
}

export interface PayoutZenginLinesTable {
  idempotency_key: string;
  run_id: number;
  hacker_id: number;
  amount: number;
  transfer_encrypted: string;
  created_at: CreatedAt;
  /** 0022: the run's file this line belongs to (the item's attempt: a retry goes into a later file). */
  file_no: ColumnType<number, number | undefined, never>;
}

export interface SimulatedBankTransfersTable {
  idempotency_key: string;
  amount: number;
  status: string;
  reference: string;
  calls: Generated<number>;
  created_at: CreatedAt;
}

/** A hacker's own change to their payee record, waiting for finance (0023). */
export interface PayeeChangeRequestsTable {
  id: Generated<number>;
  hacker_id: number;
  status: ColumnType<'pending' | 'needs_info' | 'approved' | 'rejected' | 'superseded', 'pending' | undefined, 'needs_info' | 'approved' | 'rejected' | 'superseded'>;
  fields: string[];
  /** The entered non-bank fields (validated), as the hacker gave them. */
  changes: ColumnType<Record<string, unknown>, string, never>;
  /** The same envelope as payees.bank_encrypted (AAD payee:<hacker>:bank); never decrypted here. */
  bank_encrypted: ColumnType<string | null, string | null | undefined, never>;
  bank_masked: ColumnType<unknown | null, string | null | undefined, never>;
  submitted_by: number;
  decided_by: ColumnType<number | null, number | null | undefined, number | null>;
  decided_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  comment: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PayoutAuditLogTable {
  id: Generated<number>;
  run_id: number | null;
  item_id: number | null;
  hacker_id: number | null;
  actor: string;
  action: string;
  reason: string | null;
  details: ColumnType<unknown, string | undefined, never>;
  unique_key: string | null;
  created_at: CreatedAt;
}

/** Network tables (0011): who targeting left out near the cut, grades, team reviews, managed contracts. */
export interface OfferExclusionsTable {
  offer_id: number;
  hacker_id: number;
  reason: 'below_cut' | 'at_capacity' | 'inactive' | 'no_required_skill';
  score: number | null;
  explanation: ColumnType<unknown, string | null, never>;
  created_at: CreatedAt;
}

export interface HackerGradesTable {
  hacker_id: number;
  month: string;
  grade: 'gold' | 'silver' | 'bronze' | 'none';
  shrunk_win_rate: number;
  decided_tests: number;
  wins: number;
  created_at: CreatedAt;
}

export interface TeamReviewsTable {
  id: Generated<number>;
  engagement_id: number;
  month: string;
  members: ColumnType<unknown, string, never>;
  created_at: CreatedAt;
}

export interface TeamSuggestionsTable {
  id: Generated<number>;
  review_id: number;
  engagement_id: number;
  out_hacker_id: number;
  in_hacker_id: number;
  share_percent: number;
  reason: string;
  status: ColumnType<'pending' | 'accepted' | 'dismissed', 'pending' | undefined, 'accepted' | 'dismissed'>;
  decided_by: number | null;
  decided_at: Timestamp | null;
  decision_reason: string | null;
  created_at: CreatedAt;
}

export interface ManagedContractsTable {
  id: Generated<number>;
  hacker_id: number;
  monthly_retainer_yen: number;
  start_month: string;
  end_month: string | null;
  created_by: number;
  ended_by: number | null;
  created_at: CreatedAt;
}

/** A caller's Idempotency-Key on a route (0016): a claim in progress (status null) or the first answer. */
export interface IdempotencyKeysTable {
  user_id: number;
  route: string;
  key: string;
  request_hash: string;
  claim: string;
  claimed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  status: number | null;
  content_type: string | null;
  body: Buffer | null;
  completed_at: Date | null;
}

export interface Database extends BillingTables {
  clients: ClientsTable;
  hackers: HackersTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  engagements: EngagementsTable;
  engagement_settings: EngagementSettingsTable;
  pages: PagesTable;
  growth_team_members: GrowthTeamMembersTable;
  cycles: CyclesTable;
  hypotheses: HypothesesTable;
  offers: OffersTable;
  offer_invitations: OfferInvitationsTable;
  proposals: ProposalsTable;
  proposal_versions: ProposalVersionsTable;
  proposal_reviews: ProposalReviewsTable;
  tests: TestsTable;
  renders: RendersTable;
  variants: VariantsTable;
  test_events: TestEventsTable;
  visitor_facts: VisitorFactsTable;
  test_metrics: TestMetricsTable;
  verdicts: VerdictsTable;
  knowledge_entries: KnowledgeEntriesTable;
  knowledge_learnings: KnowledgeLearningsTable;
  cycle_decisions: CycleDecisionsTable;
  earnings_ledger: EarningsLedgerTable;
  alerts: AlertsTable;
  payees: PayeesTable; payout_runs: PayoutRunsTable; payout_items: PayoutItemsTable; payout_item_lines: PayoutItemLinesTable; payout_payments: PayoutPaymentsTable;
  payout_zengin_lines: PayoutZenginLinesTable; simulated_bank_transfers: SimulatedBankTransfersTable; payout_audit_log: PayoutAuditLogTable;
  payout_carry_forwards: PayoutCarryForwardsTable; payout_transfer_results: PayoutTransferResultsTable;
  payee_change_requests: PayeeChangeRequestsTable;
  offer_exclusions: OfferExclusionsTable; hacker_grades: HackerGradesTable; team_reviews: TeamReviewsTable; team_suggestions: TeamSuggestionsTable; managed_contracts: ManagedContractsTable;
  idempotency_keys: IdempotencyKeysTable;
  my_numbers: MyNumbersTable; my_number_reads: MyNumberReadsTable;
  briefs: BriefsTable; brief_comments: BriefCommentsTable; brief_events: BriefEventsTable;
  offer_questions: OfferQuestionsTable; offer_addenda: OfferAddendaTable;
  notification_events: NotificationEventsTable; notification_deliveries: NotificationDeliveriesTable;
  notification_preferences: NotificationPreferencesTable; mailbox_messages: MailboxMessagesTable;
  webhook_endpoints: WebhookEndpointsTable; webhook_deliveries: WebhookDeliveriesTable;
}

/** An endpoint an admin registered (0026): a client's (client_id) or platform-wide (null). */
export interface WebhookEndpointsTable {
  id: Generated<number>;
  client_id: number | null;
  url: string;
  description: string | null;
  event_types: string[];
  format: Generated<'standard' | 'slack'>;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Timestamp | null;
  consecutive_failures: Generated<number>;
  disabled_at: Timestamp | null;
  disabled_reason: string | null;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  deleted_at: Timestamp | null;
}

/** One event for one endpoint (0026), retried by its workflow; message_id is the webhook-id header. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  endpoint_id: number;
  event_id: string;
  event_type: string;
  message_id: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  status: Generated<'pending' | 'succeeded' | 'failed' | 'skipped'>;
  attempts: Generated<number>;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  last_attempt_at: Timestamp | null;
  finished_at: Timestamp | null;
  created_at: CreatedAt;
}

/** A structured brief (0027): `content` is domain/cycles/brief.ts BriefContent, sanitised on write. */
export interface BriefsTable {
  id: Generated<number>;
  cycle_id: number;
  author: 'client' | 'cs';
  author_user_id: number;
  template: string | null;
  state: ColumnType<'draft' | 'in_review' | 'approved' | 'posted', 'draft' | 'in_review' | 'approved' | 'posted' | undefined, 'draft' | 'in_review' | 'approved' | 'posted'>;
  content: ColumnType<unknown, string, string>;
  override_reason: string | null;
  override_by: number | null;
  override_at: Date | null;
  approved_by: number | null;
  approved_at: Date | null;
  hypothesis_id: number | null;
  unreviewed_at_deadline: Date | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface BriefCommentsTable {
  id: Generated<number>;
  brief_id: number;
  field: string;
  body: string;
  author_user_id: number;
  created_at: CreatedAt;
}

export interface BriefEventsTable {
  id: Generated<number>;
  brief_id: number;
  kind: string;
  actor_user_id: number | null;
  note: string | null;
  created_at: CreatedAt;
}

/** One occurrence of a catalogue event (0025), keyed by its stable id. */
export interface NotificationEventsTable {
  id: string;
  type: string;
  client_id: number | null;
  occurred_at: ColumnType<Date, Date | string, Date | string>;
  data: ColumnType<Record<string, unknown>, string, string>;
  created_at: CreatedAt;
}

/** One event for one person on one channel (0025). */
export interface NotificationDeliveriesTable {
  id: Generated<number>;
  event_id: string;
  user_id: number;
  channel: 'email' | 'digest';
  status: Generated<'pending' | 'sent' | 'failed' | 'no_address'>;
  attempts: Generated<number>;
  last_error: string | null;
  sent_at: Timestamp | null;
  created_at: CreatedAt;
}

/** A person's choice per category (0025); no row: the catalogue's default (immediately). */
export interface NotificationPreferencesTable {
  user_id: number;
  category: string;
  mode: 'immediate' | 'digest' | 'off';
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A message the embedded SMTP server received (0025). */
export interface MailboxMessagesTable {
  id: Generated<number>;
  message_id: string;
  mail_from: string;
  rcpt_to: string[];
  subject: string;
  text: string;
  html: string;
  headers: ColumnType<Record<string, string>, string, string>;
  received_at: CreatedAt;
}

/** The My Number vault (0024): one encrypted 個人番号 per individual payee. */
export interface MyNumbersTable {
  hacker_id: number;
  number_encrypted: string;
  submitted_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** The latest year whose tax-office 支払調書 carried the number. */
  last_filed_year: number | null;
  /** YYYY-MM-DD: deleted by the retention schedule after this day. */
  retain_until: ColumnType<string, string, string>;
}

/** Every read of a 個人番号 (0024): who, when and why. */
export interface MyNumberReadsTable {
  id: Generated<number>;
  hacker_id: number;
  reader_user_id: number | null;
  purpose: string;
  created_at: CreatedAt;
}

/** A hacker's question on an offer (0028): private to the asker and the offer's owners until answered. */
export interface OfferQuestionsTable {
  id: Generated<number>;
  offer_id: number;
  hacker_id: number;
  asked_by: number;
  body: string;
  answer: string | null;
  answered_by: number | null;
  answered_at: Timestamp | null;
  created_at: CreatedAt;
}

/** A numbered addendum to an offer's brief: an answered question, published to the offer's audience (0028). */
export interface OfferAddendaTable {
  id: Generated<number>;
  offer_id: number;
  number: number;
  question_id: number;
  text: string;
  deadline_extended_to: Timestamp | null;
  created_at: CreatedAt;
}

export type Client = Selectable<ClientsTable>;
export type Hacker = Selectable<HackersTable>;
export type NewHacker = Insertable<HackersTable>;
export type User = Selectable<UsersTable>;
export type Engagement = Selectable<EngagementsTable>;
export type EngagementUpdate = Updateable<EngagementsTable>;
export type Proposal = Selectable<ProposalsTable>;
