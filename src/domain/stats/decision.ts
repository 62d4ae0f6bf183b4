// Decision rule used by the improvement cycle.
//   invalid: SRM (p < 0.001 when weights are given), fewer than two arms, or any comparison without
//            usable data (no units, zero variance, zero control mean for a relative effect, ...).
//   winner:  frequentist / sequential: p < α with the effect in the good direction (inverse metrics:
//            lower is better; one-sided tests can only be significant in their own direction);
//            Bayesian: chance_to_win >= 0.95 and, when risk_threshold is given, risk of shipping
//            (risk[1]) below it. With several qualifying treatments the one with the largest
//            expected effect in the good direction wins.
//   loser:   no winner, but some treatment is significantly worse (Bayesian: chance_to_win <= 0.05);
//            the worst such treatment is named.
//   inconclusive: otherwise (keep running until the planned sample or the maximum duration).
import { SRM_THRESHOLD } from './srm.ts';
import type { Decision, Side, VariantResult, VerdictRequest } from './types.ts';

export const BAYES_WIN_PROBABILITY = 0.95;

export function fmt(x: number): string {
  if (x === 0) return '0';
  return Math.abs(x) >= 1e-4 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

export type Signal = 'win' | 'lose' | null;

/**
 * Whether one treatment is significantly better ('win') or worse ('lose') than the control.
 * `evidence` is the p-value / chance to win to judge (the corrected ones in a test verdict);
 * `loseBar` is the Bayesian chance to win at or below which the treatment is worse (a guardrail's α).
 */
export function variantSignal(
  v: VariantResult,
  bayes: boolean,
  alpha: number,
  side: Side,
  inverse: boolean,
  riskThreshold: number | undefined,
  evidence: { p_value?: number; chance_to_win?: number } = v,
  loseBar = 1 - BAYES_WIN_PROBABILITY,
): Signal {
  if (bayes) {
    const ctw = evidence.chance_to_win!;
    if (ctw >= BAYES_WIN_PROBABILITY && (riskThreshold === undefined || v.risk![1] < riskThreshold)) return 'win';
    return ctw <= loseBar ? 'lose' : null;
  }
  const significant = evidence.p_value! < alpha;
  const dir = side === 'greater' ? 1 : side === 'lesser' ? -1 : Math.sign(v.expected);
  if (!significant || dir === 0) return null;
  return (inverse ? dir < 0 : dir > 0) ? 'win' : 'lose';
}

export function decide(
  req: VerdictRequest,
  variants: readonly VariantResult[],
  armCount: number,
  srmP: number | undefined,
  alpha: number,
  side: Side,
  inverse: boolean,
): Decision {
  if (srmP !== undefined && srmP < SRM_THRESHOLD) {
    return {
      outcome: 'invalid',
      reason: `sample ratio mismatch: SRM p-value ${fmt(srmP)} < ${SRM_THRESHOLD}; the split does not match the planned weights`,
    };
  }
  if (armCount < 2) {
    return { outcome: 'invalid', reason: 'only one arm: there is no treatment to compare with the control' };
  }
  for (const v of variants) {
    if (v.error !== undefined) {
      return { outcome: 'invalid', reason: `no usable data for arm "${v.arm}": ${v.error}` };
    }
  }
  const bayes = req.engine === 'bayesian';
  const riskThreshold = req.risk_threshold;
  let winner: VariantResult | undefined;
  let winnerScore = -Infinity;
  let loser: VariantResult | undefined;
  let loserScore = Infinity;
  for (const v of variants) {
    const score = inverse ? -v.expected : v.expected; // larger = better
    const s = variantSignal(v, bayes, alpha, side, inverse, riskThreshold);
    const win = s === 'win';
    const lose = s === 'lose';
    if (win && score > winnerScore) {
      winner = v;
      winnerScore = score;
    }
    if (lose && score < loserScore) {
      loser = v;
      loserScore = score;
    }
  }
  const direction = inverse ? 'lower is better' : 'higher is better';
  if (winner) {
    const evidence = bayes
      ? `chance to win ${fmt(winner.chance_to_win!)} >= ${BAYES_WIN_PROBABILITY}` +
        (riskThreshold === undefined ? '' : ` and risk ${fmt(winner.risk![1])} < ${fmt(riskThreshold)}`)
      : `p-value ${fmt(winner.p_value!)} < alpha ${fmt(alpha)}`;
    return {
      outcome: 'winner',
      arm: winner.arm,
      reason: `"${winner.arm}" beats the control (${direction}): effect ${fmt(winner.expected)}, ${evidence}`,
    };
  }
  if (loser) {
    const evidence = bayes
      ? `chance to win ${fmt(loser.chance_to_win!)} <= ${fmt(1 - BAYES_WIN_PROBABILITY)}`
      : `p-value ${fmt(loser.p_value!)} < alpha ${fmt(alpha)}`;
    return {
      outcome: 'loser',
      arm: loser.arm,
      reason: `"${loser.arm}" is significantly worse than the control (${direction}): effect ${fmt(loser.expected)}, ${evidence}`,
    };
  }
  return {
    outcome: 'inconclusive',
    reason: bayes
      ? 'no treatment reaches the winning probability (and risk) bar nor is clearly worse; keep running until the planned sample or maximum duration'
      : `no treatment differs significantly from the control at alpha ${fmt(alpha)}; keep running until the planned sample or maximum duration`,
  };
}
