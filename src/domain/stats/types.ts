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
