// Apply failures: a visitor whose arm's changes did not apply (a selector that never matched) saw
// something else than the arm promises. Like a sample ratio mismatch, a share above the threshold
// means the arm's figures do not measure the variant: the test view warns about it.

/** At this share of an arm's visitors or more, the test carries a health warning. */
export const APPLY_FAILURE_THRESHOLD = 0.05;

export interface ArmApplyFigures {
  arm: string;
  /** Visitors of the arm whose changes failed to apply. */
  failed: number;
  /** Visitors of the arm (exposed or failed). */
  visitors: number;
}

export interface ApplyHealth {
  apply_failures: Record<string, { visitors: number; share: number }>;
  /** One sentence per arm at or above the threshold, e.g. "variant A failed to apply for 12% of its visitors …". */
  warnings: string[];
}

export function applyHealth(arms: readonly ArmApplyFigures[]): ApplyHealth {
  const apply_failures: ApplyHealth['apply_failures'] = {};
  const warnings: string[] = [];
  for (const a of arms) {
    const share = a.visitors > 0 ? a.failed / a.visitors : 0;
    apply_failures[a.arm] = { visitors: a.failed, share };
    if (a.failed > 0 && share >= APPLY_FAILURE_THRESHOLD) {
      const name = a.arm === 'control' ? 'the control' : `variant ${a.arm}`;
      warnings.push(
        `apply failure: ${name} failed to apply for ${percent(share)} of its visitors (${a.failed} of ${a.visitors}) ≥ ${percent(APPLY_FAILURE_THRESHOLD)}; its figures do not measure the change`,
      );
    }
  }
  return { apply_failures, warnings };
}

const percent = (x: number) => `${Number((x * 100).toPrecision(3))}%`;
