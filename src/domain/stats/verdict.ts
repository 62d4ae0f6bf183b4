// Typed core of the verdict: assumes a validated request (see validate.ts for untrusted JSON).
import { bayesianTest, bayesianDefault, DEFAULT_PRIOR_MEAN, DEFAULT_PRIOR_STDDEV } from './bayesian.ts';
import type { PriorSpec } from './bayesian.ts';
import { decide } from './decision.ts';
import { armStats, effectMoments, NOT_FINITE_MESSAGE } from './effects.ts';
import type { ArmStats } from './effects.ts';
import { frequentistDefault, frequentistTest } from './frequentist.ts';
import { sequentialTest } from './sequential.ts';
import { srmTest } from './srm.ts';
import type { DifferenceType, Side, VariantResult, VerdictRequest, VerdictResult } from './types.ts';

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_SEQUENTIAL_TUNING = 5000;

const FLAT_PRIOR: PriorSpec = { proper: false, mean: 0, stddev: 1 };

function resolvePrior(req: Pick<VerdictRequest, 'prior'>): PriorSpec {
  const p = req.prior;
  if (!p || !p.proper) return FLAT_PRIOR;
  return { proper: true, mean: p.mean ?? DEFAULT_PRIOR_MEAN, stddev: p.stddev ?? DEFAULT_PRIOR_STDDEV };
}

function isFiniteOrNull(x: number | null): boolean {
  return x === null || Number.isFinite(x);
}

function allFinite(v: VariantResult): boolean {
  if (!Number.isFinite(v.expected) || !Number.isFinite(v.uplift_stddev)) return false;
  if (!isFiniteOrNull(v.ci[0]) || !isFiniteOrNull(v.ci[1])) return false;
  if (v.p_value !== undefined && !Number.isFinite(v.p_value)) return false;
  if (v.chance_to_win !== undefined && !Number.isFinite(v.chance_to_win)) return false;
  if (v.risk !== undefined && !(Number.isFinite(v.risk[0]) && Number.isFinite(v.risk[1]))) return false;
  return true;
}

/** How two arms are compared: the engine and its settings, resolved from a request. */
export interface CompareOptions {
  engine: VerdictRequest['engine'];
  difference: DifferenceType;
  alpha: number;
  side: Side;
  inverse: boolean;
  tuning: number;
  prior: PriorSpec;
}

export function compareOptions(req: Omit<VerdictRequest, 'metric_type' | 'arms'>): CompareOptions {
  return {
    engine: req.engine,
    difference: req.difference ?? 'relative',
    alpha: req.alpha ?? DEFAULT_ALPHA,
    side: req.side ?? 'two-sided',
    inverse: req.inverse ?? false,
    tuning: req.sequential_tuning_parameter ?? DEFAULT_SEQUENTIAL_TUNING,
    prior: req.engine === 'bayesian' ? resolvePrior(req) : FLAT_PRIOR,
  };
}

/** Treatment `b` (named `arm`) against control `a` with the engine. Never throws on degenerate data. */
export function compareArms(o: CompareOptions, arm: string, a: ArmStats, b: ArmStats): VariantResult {
  const m = effectMoments(a, b, o.difference);
  if (o.engine === 'bayesian') {
    const v = bayesianTest(arm, a, m, o.alpha, o.difference, o.prior, o.inverse);
    return allFinite(v) ? v : bayesianDefault(arm, NOT_FINITE_MESSAGE);
  }
  const v =
    o.engine === 'sequential'
      ? sequentialTest(arm, a, b, m, o.alpha, o.side, o.tuning)
      : frequentistTest(arm, a, b, m, o.alpha, o.side);
  return allFinite(v) ? v : frequentistDefault(arm, NOT_FINITE_MESSAGE);
}

/** Compare every non-control arm with arms[0] and decide. Never throws on degenerate data. */
export function computeVerdict(req: VerdictRequest): VerdictResult {
  const o = compareOptions(req);
  const arms = req.arms;
  const variants: VariantResult[] = [];
  if (arms.length >= 1) {
    const c = arms[0]!;
    const a = armStats(req.metric_type, c.n, c.conversions, c.sum, c.sum_squares);
    for (let i = 1; i < arms.length; i++) {
      const t = arms[i]!;
      variants.push(compareArms(o, t.arm, a, armStats(req.metric_type, t.n, t.conversions, t.sum, t.sum_squares)));
    }
  }
  let srmP: number | undefined;
  if (req.weights !== undefined) {
    const users = new Array<number>(arms.length);
    for (let i = 0; i < arms.length; i++) users[i] = arms[i]!.n;
    srmP = srmTest(users, req.weights).p_value;
  }
  const decision = decide(req, variants, arms.length, srmP, o.alpha, o.side, o.inverse);
  return srmP === undefined ? { variants, decision } : { variants, srm_p_value: srmP, decision };
}
