// Public request / result types of the verdict engine (JSON shapes, snake_case as on the wire).

export type Engine = 'frequentist' | 'bayesian' | 'sequential';
export type MetricType = 'binomial' | 'mean';
export type DifferenceType = 'relative' | 'absolute';
export type Side = 'two-sided' | 'greater' | 'lesser';

export interface ArmInput {
  arm: string;
  /** units exposed */
  n: number;
  /** binomial metrics */
  conversions?: number;
  /** mean metrics */
  sum?: number;
  sum_squares?: number;
}

export type Prior = { proper: false } | { proper: true; mean?: number; stddev?: number };

export interface VerdictRequest {
  engine: Engine;
  metric_type: MetricType;
  difference?: DifferenceType;
  alpha?: number;
  side?: Side;
  inverse?: boolean;
  prior?: Prior;
  sequential_tuning_parameter?: number;
  risk_threshold?: number;
  arms: ArmInput[];
  weights?: number[];
}

export interface VariantResult {
  arm: string;
  expected: number;
  /** null = unbounded end */
  ci: [number | null, number | null];
  uplift_stddev: number;
  p_value?: number;
  chance_to_win?: number;
  risk?: [number, number];
  error?: string;
}

export type Outcome = 'winner' | 'loser' | 'inconclusive' | 'invalid';

export interface Decision {
  outcome: Outcome;
  arm?: string;
  reason: string;
}

export interface VerdictResult {
  variants: VariantResult[];
  srm_p_value?: number;
  decision: Decision;
}

export interface SrmRequest {
  /** observed units per arm; null = missing (the arm is dropped) */
  users: (number | null)[];
  /** planned split; arms with weight <= 0 are dropped */
  weights: number[];
}

export interface SrmResult {
  p_value: number;
  chi_square: number;
  df: number;
}

export type AdjustMethod = 'holm' | 'benjamini-hochberg';

export interface AdjustRequest {
  p_values: number[];
  method: AdjustMethod;
}

export interface AdjustResult {
  adjusted: number[];
}

export interface DesignRequest {
  /** binomial baseline conversion rate in (0, 1) ... */
  baseline_rate?: number;
  /** ... or mean metric baseline (> 0) and per-unit standard deviation (> 0) */
  mean?: number;
  stddev?: number;
  alpha?: number;
  /** number of arms including control (default 2) */
  variants?: number;
  engine?: 'frequentist' | 'sequential';
  sequential_tuning_parameter?: number;
}

export interface SampleSizeRequest extends DesignRequest {
  mde_relative: number;
  power?: number;
  daily_traffic?: number;
}

export interface SampleSizeResult {
  n_total: number;
  n_per_variant: number;
  days?: number;
}

export interface PowerRequest extends DesignRequest {
  mde_relative: number;
  n_total: number;
}

export interface PowerResult {
  power: number;
}

export interface MdeRequest extends DesignRequest {
  n_total: number;
  power?: number;
}

export interface MdeResult {
  /** null when no effect reaches the target power at this n (the n is too small) */
  mde_relative: number | null;
  error?: string;
}

// ---- Test verdicts over several metrics (issue 25) ----------------------------------------------

/** binomial: conversions/n; mean: sum/n per unit (revenue, items per visitor); ratio: Σnum/Σden (e.g. revenue/orders). */
export type MetricKind = 'binomial' | 'mean' | 'ratio';
/** primary decides; primary + secondary are the goals the correction counts; guardrails can only block. */
export type MetricRole = 'primary' | 'secondary' | 'guardrail';
export type CorrectionMethod = 'holm' | 'benjamini-hochberg' | 'none';

/**
 * One arm's aggregates for one metric (sums over the arm's n units, values already capped when the
 * metric is winsorised). Control first; every metric lists the same arms in the same order.
 */
export interface MetricArmInput {
  arm: string;
  /** units exposed */
  n: number;
  /** binomial: units that converted */
  conversions?: number;
  /** mean: Σy and Σy² over units */
  sum?: number;
  sum_squares?: number;
  /** ratio: Σ numerator, Σ numerator², Σ denominator, Σ denominator², Σ numerator·denominator (per unit) */
  num_sum?: number;
  num_sum_squares?: number;
  den_sum?: number;
  den_sum_squares?: number;
  cross_sum?: number;
  /**
   * CUPED covariate x (the unit's value of the metric in the pre-period; 0 for a unit without one):
   * pre_n = units that had a pre-period (only for the min-share gate), Σx, Σx², Σx·y over all n units.
   * Binomial and mean metrics only.
   */
  pre_n?: number;
  pre_sum?: number;
  pre_sum_squares?: number;
  pre_cross_sum?: number;
}

export interface MetricInput {
  id: string;
  kind: MetricKind;
  role: MetricRole;
  /** lower is better (e.g. bounce rate, refunds) */
  inverse?: boolean;
  /** guardrails: their own one-sided α (default: the request's alpha) */
  alpha?: number;
  arms: MetricArmInput[];
}

export interface CupedSettings {
  /** default true: apply CUPED to each binomial/mean metric whose arms carry a covariate */
  enabled?: boolean;
  /** CUPED is off for a metric when fewer than this share of its units have a pre-period (default 0.1) */
  min_share?: number;
}

export interface TestVerdictRequest {
  engine: Engine;
  /** goal metrics' α (default 0.05) */
  alpha?: number;
  /** goal metrics' side (default two-sided); guardrails are always one-sided in their bad direction */
  side?: Side;
  difference?: DifferenceType;
  prior?: Prior;
  sequential_tuning_parameter?: number;
  risk_threshold?: number;
  /** across (variants × goal metrics); default holm */
  correction?: CorrectionMethod;
  /** exactly one primary */
  metrics: MetricInput[];
  /** planned split, one per arm: SRM on the primary metric's n */
  weights?: number[];
  cuped?: CupedSettings;
  /** echoed: the pre-registered segment whose aggregates these are (absent = everyone) */
  decision_population?: { dimension: string; value: string };
}

export interface MetricVariantResult extends VariantResult {
  /** frequentist / sequential goal metrics: the corrected p-value the decision uses */
  p_value_adjusted?: number;
  /** Bayesian goal metrics: 1 − corrected P(sign is wrong) on the side the estimate is on */
  chance_to_win_adjusted?: number;
  /** goal metrics: interval at α / comparisons (Bonferroni; sequential: still always-valid) */
  ci_adjusted?: [number | null, number | null];
  /** guardrails: significantly worse at the guardrail's α (one-sided, bad direction) */
  worse?: boolean;
  cuped?: { theta: number; variance_reduction: number };
}

export type CupedOffReason = 'disabled' | 'no_covariate' | 'below_min_share' | 'ratio_metric' | 'no_covariate_variance';

export interface MetricArmSummary {
  arm: string;
  n: number;
  /** unadjusted mean (rate, mean per unit, or ratio) */
  mean: number;
}

export interface MetricResult {
  id: string;
  kind: MetricKind;
  role: MetricRole;
  inverse: boolean;
  /** α this metric was tested at (guardrails: their own) */
  alpha: number;
  side: Side;
  arms: MetricArmSummary[];
  cuped: { applied: boolean; pre_share: number; off_reason?: CupedOffReason };
  variants: MetricVariantResult[];
}

export type TestOutcome = Outcome | 'blocked_by_guardrail';
/** machine-readable reason (the web and the cycle render words from code + numbers) */
export type DecisionCode =
  | 'srm'
  | 'one_arm'
  | 'no_data'
  | 'winner'
  | 'loser'
  | 'inconclusive'
  | 'blocked_by_guardrail';

export interface TestDecision {
  outcome: TestOutcome;
  code: DecisionCode;
  /** the winner / loser / blocked arm */
  arm?: string;
  /** English sentence (CLI, logs); says the correction and its number of comparisons */
  reason: string;
  /** the primary metric's id */
  metric: string;
  correction: { method: CorrectionMethod; comparisons: number };
  /** the figures behind the outcome for `arm` on the primary metric */
  evidence?: {
    expected: number;
    alpha: number;
    p_value?: number;
    p_value_adjusted?: number;
    chance_to_win?: number;
    chance_to_win_adjusted?: number;
    risk?: number;
    srm_p_value?: number;
  };
  /** blocked_by_guardrail: the first breached guardrail (input order) */
  guardrail?: { id: string; expected: number; p_value?: number; chance_to_win?: number; alpha: number };
}

export interface TestVerdictResult {
  /** the primary metric's variants (same shape as VerdictResult.variants, plus the adjusted figures) */
  variants: MetricVariantResult[];
  srm_p_value?: number;
  metrics: MetricResult[];
  correction: { method: CorrectionMethod; comparisons: number };
  decision: TestDecision;
  decision_population?: { dimension: string; value: string };
}

export interface SegmentSrmRequest {
  /** planned split, one per arm */
  weights: number[];
  segments: { dimension: string; value: string; users: (number | null)[] }[];
}

export interface SegmentSrmResult {
  threshold: number;
  /** how many segments were browsed: the page warns that one of many may look skewed by chance */
  comparisons: number;
  segments: { dimension: string; value: string; p_value: number; chi_square: number; df: number; srm: boolean }[];
}

/** One metric, with and without CUPED: what the covariate bought. */
export interface CupedRequest {
  engine?: Engine;
  alpha?: number;
  difference?: DifferenceType;
  kind: 'binomial' | 'mean';
  inverse?: boolean;
  min_share?: number;
  arms: MetricArmInput[];
}

export interface CupedResult {
  applied: boolean;
  pre_share: number;
  off_reason?: CupedOffReason;
  /** with CUPED (when applied) */
  variants: MetricVariantResult[];
  /** the same comparisons without the covariate */
  unadjusted: VariantResult[];
}
