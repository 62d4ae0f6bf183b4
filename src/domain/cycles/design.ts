// Test design: how many visitors a test needs (the verdict engine's sample size at power 0.8). A
// design the site could never run is refused where settings and pages are entered (400) and, by the
// same function, where a test is created (a non-retryable failure that fails the cycle visibly).
import { ValidationError, type ErrorDetail } from '../errors.ts';
import { sampleSize } from '../stats/index.ts';

/** More visitors than any test here can gather (and than the planned-sample column holds). */
export const MAX_PLANNED_SAMPLE = 100_000_000;
export const TEST_POWER = 0.8;

export interface DesignInput {
  baseline_rate: number;
  mde_relative: number;
  alpha: number;
  /** Arms including the control. */
  variants: number;
}

/** Problems with a design, as details naming the setting; empty when the test can be planned. */
export function designProblems(d: DesignInput, path = ''): ErrorDetail[] {
  let total: number;
  try {
    total = sampleSize({ baseline_rate: d.baseline_rate, mde_relative: d.mde_relative, alpha: d.alpha, power: TEST_POWER, variants: d.variants }).n_total;
  } catch (err) {
    const details = err instanceof ValidationError ? err.details : [{ path: '/mde_relative', message: (err as Error).message }];
    return details.map((x) => ({ path: `${path}${x.path}`, message: x.message }));
  }
  if (!Number.isFinite(total) || total > MAX_PLANNED_SAMPLE) {
    return [
      {
        path: `${path}/mde_relative`,
        message: `with alpha ${d.alpha} and a baseline of ${d.baseline_rate}, an effect of ${d.mde_relative} needs ${Number.isFinite(total) ? total.toExponential(1) : 'infinitely many'} visitors (at most ${MAX_PLANNED_SAMPLE.toLocaleString('en-US')}); choose a larger effect or alpha`,
      },
    ];
  }
  return [];
}

/** The planned total sample; throws ValidationError naming the setting when it cannot be planned. */
export function plannedSample(d: DesignInput): number {
  const problems = designProblems(d);
  if (problems.length) throw new ValidationError(`this test cannot be planned: ${problems[0]!.message}`, problems);
  return sampleSize({ baseline_rate: d.baseline_rate, mde_relative: d.mde_relative, alpha: d.alpha, power: TEST_POWER, variants: d.variants }).n_total;
}

/**
 * Settings against the engagement's pages: every page must be testable with 2 to 4 arms (a test has
 * the control and 1–3 selected variants). Returns details with paths under `prefix`.
 */
export function settingsProblems(
  settings: { alpha: number; mde_relative: number },
  pages: { baseline_rate: number }[],
  prefix = '',
): ErrorDetail[] {
  // Four arms need the most visitors: if that design works, every smaller one does too.
  for (const p of pages) {
    const problems = designProblems({ baseline_rate: p.baseline_rate, mde_relative: settings.mde_relative, alpha: settings.alpha, variants: 4 }, prefix);
    if (problems.length) return problems;
  }
  return [];
}
