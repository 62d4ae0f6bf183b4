// Power, minimum detectable effect and sample size (normal approximation, two-sided), following
// GrowthBook's power calculator. All effects are relative: Δ = (μB − μA)/μA.
//
// Definitions (k arms incl. control, n_total units split evenly, nA = n_total/k per arm):
//   baseline mean m and per-unit variance σ² (binomial: m = p, σ² = p(1 − p); mean: m, stddev²),
//   the same σ² assumed in both arms and μB = m(1 + Δ);
//   Var(Δ̂) = σ²/(nA·m²) + σ²·μB²/(nA·m⁴) = σ²(1 + (1 + Δ)²)/(nA·m²)      (delta method)
//   z = Φ⁻¹(1 − α/2)
//   power(Δ) = 1 − Φ(z − Δ/se) + Φ(−z − Δ/se),   se = √Var(Δ̂)
//   Sequential designs replace the fixed-horizon z-width by the sequential half-width, i.e. the
//   variance is inflated by F = N·D(N)/z² where N = 2·nA (the pairwise total of one comparison),
//   D(N) = 2(Nρ² + 1)/(N²ρ²)·ln(√(Nρ² + 1)/α), ρ = √((−2 ln α + ln(−2 ln α + 1))/N*).
//   MDE for target power π: with K = z − Φ⁻¹(1 − π) solve Δ/se(Δ) = K (the far tail Φ(−z − Δ/se)
//   is ignored, as GrowthBook does), i.e. the quadratic in μB
//     μB²(1 − K²v/(nA m²)) − 2mμB + (m² − K²v/nA) = 0,  v = σ² (or σ²·F for sequential),
//   taking the larger root; MDE = (μB − m)/m. No MDE exists when nA <= K²v/m².
//   Sample size: the smallest integer nA whose power (full two-tailed formula above) reaches π;
//   n_total = k·nA, days = ⌈n_total / daily_traffic⌉.
import { normalCdf, normalQuantile } from './distributions.ts';
import { sequentialRho } from './sequential.ts';

export interface Design {
  /** baseline mean (binomial: rate), > 0 */
  mean: number;
  /** per-unit variance, > 0 */
  variance: number;
  alpha: number;
  /** number of arms including control, >= 2 */
  variants: number;
  sequential: boolean;
  tuning: number;
}

/** Sequential variance inflation F(N) = N·D(N)/z² (1 for fixed-horizon designs). */
export function sequentialInflation(d: Design, pairwiseN: number): number {
  if (!d.sequential) return 1;
  const rho = sequentialRho(d.alpha, d.tuning, true);
  const nr2 = pairwiseN * rho * rho;
  const disc = ((2 * (nr2 + 1)) / (nr2 * pairwiseN)) * Math.log(Math.sqrt(nr2 + 1) / d.alpha);
  const z = normalQuantile(1 - d.alpha / 2);
  return (pairwiseN * disc) / (z * z);
}

/** Standard error of the relative effect at per-arm size nA and true effect Δ. */
export function relativeEffectSe(d: Design, nPerArm: number, delta: number): number {
  const m2 = d.mean * d.mean;
  const v = (d.variance * (1 + (1 + delta) * (1 + delta))) / (nPerArm * m2);
  return Math.sqrt(v * sequentialInflation(d, 2 * nPerArm));
}

export function powerPerArm(d: Design, nPerArm: number, delta: number): number {
  const se = relativeEffectSe(d, nPerArm, delta);
  const z = normalQuantile(1 - d.alpha / 2);
  const s = delta / se;
  const p = 1 - normalCdf(z - s) + normalCdf(-z - s);
  return Math.min(1, Math.max(0, p));
}

export function powerForTotal(d: Design, nTotal: number, delta: number): number {
  return powerPerArm(d, nTotal / d.variants, delta);
}

export function mdeForTotal(
  d: Design,
  nTotal: number,
  targetPower: number,
): { mde: number; error: null } | { mde: null; error: string } {
  const nA = nTotal / d.variants;
  const K = normalQuantile(1 - d.alpha / 2) - normalQuantile(1 - targetPower);
  const m = d.mean;
  const v = d.variance * sequentialInflation(d, 2 * nA);
  if (!(nA > (v * K * K) / (m * m))) {
    return { mde: null, error: 'no effect reaches the target power with this many units: increase n_total or reduce variants' };
  }
  const sigma2 = v / nA;
  const a = 1 - (K * K * sigma2) / (m * m);
  const b = -2 * m;
  const c = m * m - K * K * sigma2;
  const disc = b * b - 4 * a * c;
  const muB = (-b + Math.sqrt(disc)) / (2 * a);
  return { mde: (muB - m) / m, error: null };
}

const MAX_PER_ARM = 1e15;

/** Smallest integer units per arm reaching the target power; null if beyond 1e15. */
export function sampleSizePerArm(d: Design, delta: number, targetPower: number): number | null {
  if (powerPerArm(d, 2, delta) >= targetPower) {
    return powerPerArm(d, 1, delta) >= targetPower ? 1 : 2;
  }
  let lo = 2; // power(lo) < target
  let hi = 4;
  while (powerPerArm(d, hi, delta) < targetPower) {
    lo = hi;
    hi *= 2;
    if (hi > MAX_PER_ARM) return null;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (powerPerArm(d, mid, delta) >= targetPower) hi = mid;
    else lo = mid;
  }
  return hi;
}
