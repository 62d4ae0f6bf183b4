// Public contract of the A/B verdict engine: pure computation, no I/O.
//
// Typed entry points (`verdict`, `srm`, `adjust`, `sampleSize`, `power`, `mde`) trust their input
// and are allocation-light for use inside workflow activities; `runStatsOp` validates an untrusted
// JSON body first and throws ValidationError (with a JSON-pointer path per bad field).
import { ValidationError } from '../errors.ts';
import { adjustPValues } from './adjust.ts';
import type { Design } from './power.ts';
import { mdeForTotal, powerForTotal, sampleSizePerArm } from './power.ts';
import { srmTest } from './srm.ts';
import type {
  AdjustRequest,
  AdjustResult,
  DesignRequest,
  MdeRequest,
  MdeResult,
  PowerRequest,
  PowerResult,
  SampleSizeRequest,
  SampleSizeResult,
  SrmRequest,
  SrmResult,
  VerdictRequest,
  VerdictResult,
} from './types.ts';
import {
  validateAdjustRequest,
  validateCupedRequest,
  validateMdeRequest,
  validatePowerRequest,
  validateSampleSizeRequest,
  validateSegmentSrmRequest,
  validateSrmRequest,
  validateTestVerdictRequest,
  validateVerdictRequest,
} from './validate.ts';
import { computeVerdict, DEFAULT_ALPHA, DEFAULT_SEQUENTIAL_TUNING } from './verdict.ts';
import { computeCuped, computeSegmentSrm, computeTestVerdict } from './test-verdict.ts';
import type {
  CupedRequest,
  CupedResult,
  SegmentSrmRequest,
  SegmentSrmResult,
  TestVerdictRequest,
  TestVerdictResult,
} from './types.ts';

export type * from './types.ts';
export {
  validateAdjustRequest,
  validateMdeRequest,
  validatePowerRequest,
  validateSampleSizeRequest,
  validateSrmRequest,
  validateVerdictRequest,
  validateTestVerdictRequest,
  validateSegmentSrmRequest,
  validateCupedRequest,
} from './validate.ts';
export { SRM_THRESHOLD } from './srm.ts';
export { DEFAULT_CUPED_MIN_SHARE } from './test-verdict.ts';
export { percentileCap, winsorize } from './winsorize.ts';
export { normalCdf, normalQuantile, studentTCdf, studentTQuantile, chiSquareSf } from './distributions.ts';

export const STATS_OPS = ['verdict', 'srm', 'adjust', 'sample-size', 'power', 'mde', 'test-verdict', 'segment-srm', 'cuped'] as const;
export type StatsOp = (typeof STATS_OPS)[number];

export const DEFAULT_POWER = 0.8;

/** A/B verdict: one entry per non-control arm (input order), optional SRM p-value, decision. */
export function verdict(req: VerdictRequest): VerdictResult {
  return computeVerdict(req);
}

/**
 * Verdict of a test over one primary and any secondary / guardrail metrics (binomial, mean, ratio):
 * goal metrics corrected across variants × goals (Holm by default), guardrails that block a win,
 * CUPED where a covariate exists. See docs/statistics.md.
 */
export function testVerdict(req: TestVerdictRequest): TestVerdictResult {
  return computeTestVerdict(req);
}

/** SRM per segment (device, visitor type, source…), flagged below SRM_THRESHOLD. */
export function segmentSrm(req: SegmentSrmRequest): SegmentSrmResult {
  return computeSegmentSrm(req);
}

/** One metric with and without its CUPED covariate. */
export function cuped(req: CupedRequest): CupedResult {
  return computeCuped(req);
}

/** Sample-ratio mismatch χ² test. */
export function srm(req: SrmRequest): SrmResult {
  return srmTest(req.users, req.weights);
}

/** Holm or Benjamini–Hochberg adjusted p-values, in input order. */
export function adjust(req: AdjustRequest): AdjustResult {
  return { adjusted: adjustPValues(req.p_values, req.method) };
}

function design(req: DesignRequest): Design {
  const binomial = req.baseline_rate !== undefined;
  const mean = binomial ? req.baseline_rate! : req.mean!;
  const variance = binomial ? mean * (1 - mean) : req.stddev! * req.stddev!;
  return {
    mean,
    variance,
    alpha: req.alpha ?? DEFAULT_ALPHA,
    variants: req.variants ?? 2,
    sequential: req.engine === 'sequential',
    tuning: req.sequential_tuning_parameter ?? DEFAULT_SEQUENTIAL_TUNING,
  };
}

/**
 * Units needed to reach `power` (default 0.8) for a relative effect `mde_relative`:
 * n_per_variant = smallest integer nA with power(nA) >= target (see power.ts for the formulas),
 * n_total = variants·n_per_variant, days = ⌈n_total / daily_traffic⌉ when traffic is given.
 */
export function sampleSize(req: SampleSizeRequest): SampleSizeResult {
  const d = design(req);
  const perArm = sampleSizePerArm(d, req.mde_relative, req.power ?? DEFAULT_POWER);
  if (perArm === null) {
    throw new ValidationError('mde_relative is too small to detect with a practical sample', [
      { path: '/mde_relative', message: 'needs more than 1e15 units per arm; choose a larger effect' },
    ]);
  }
  const nTotal = perArm * d.variants;
  const out: SampleSizeResult = { n_total: nTotal, n_per_variant: perArm };
  if (req.daily_traffic !== undefined) out.days = Math.ceil(nTotal / req.daily_traffic);
  return out;
}

/** Two-sided power for a relative effect with n_total units split evenly over the arms. */
export function power(req: PowerRequest): PowerResult {
  return { power: powerForTotal(design(req), req.n_total, req.mde_relative) };
}

/** Minimum detectable relative effect at n_total units for the target power (default 0.8). */
export function mde(req: MdeRequest): MdeResult {
  const r = mdeForTotal(design(req), req.n_total, req.power ?? DEFAULT_POWER);
  return r.error === null ? { mde_relative: r.mde } : { mde_relative: null, error: r.error };
}

/** Validate an untrusted JSON body for `op` and run it; returns the JSON result. */
export function runStatsOp(op: string, body: unknown): unknown {
  switch (op) {
    case 'verdict':
      return verdict(validateVerdictRequest(body));
    case 'srm':
      return srm(validateSrmRequest(body));
    case 'adjust':
      return adjust(validateAdjustRequest(body));
    case 'sample-size':
      return sampleSize(validateSampleSizeRequest(body));
    case 'power':
      return power(validatePowerRequest(body));
    case 'mde':
      return mde(validateMdeRequest(body));
    case 'test-verdict':
      return testVerdict(validateTestVerdictRequest(body));
    case 'segment-srm':
      return segmentSrm(validateSegmentSrmRequest(body));
    case 'cuped':
      return cuped(validateCupedRequest(body));
    default:
      throw new ValidationError(`unknown stats op "${op}"`, [
        { path: '/op', message: `must be one of ${STATS_OPS.join(', ')}` },
      ]);
  }
}
