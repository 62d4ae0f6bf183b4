// The client's ordering ability (issue 28.5): how good its briefs are and what they got, per
// Asia/Tokyo month, from counts the use case gathers. Ratios with nothing to divide by are null
// (no offers that month says nothing about the client), never 0.

/** One month's raw counts for one client. */
export interface OrderingCounts {
  month: string;
  offers: number;
  /** Sum over the month's offers of each brief's completeness (0..1). */
  brief_completeness_sum: number;
  questions: number;
  proposals: number;
  /** Proposals whose current version passed CS's review. */
  proposals_passed: number;
  proposals_selected: number;
  /** Tests with a valid final verdict. */
  tests_decided: number;
  tests_won: number;
  /** Sum of the month's cycle reports (lower CI bound of the lift, integer yen). */
  uplift_yen: number;
}

export interface OrderingMonth {
  month: string;
  offers: number;
  brief_completeness: number | null;
  questions_per_offer: number | null;
  proposals_per_offer: number | null;
  proposals_passed: number;
  /** Share of proposals that passed CS's review. */
  qa_pass_rate: number | null;
  /** Share of proposals selected for a test. */
  selection_rate: number | null;
  /** Share of decided tests with a winner. */
  win_rate: number | null;
  uplift_yen: number;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

export function orderingMonth(c: OrderingCounts): OrderingMonth {
  return {
    month: c.month,
    offers: c.offers,
    brief_completeness: ratio(c.brief_completeness_sum, c.offers),
    questions_per_offer: ratio(c.questions, c.offers),
    proposals_per_offer: ratio(c.proposals, c.offers),
    proposals_passed: c.proposals_passed,
    qa_pass_rate: ratio(c.proposals_passed, c.proposals),
    selection_rate: ratio(c.proposals_selected, c.proposals),
    win_rate: ratio(c.tests_won, c.tests_decided),
    uplift_yen: Math.round(c.uplift_yen),
  };
}

/** Months in order, oldest first (the trend reads left to right). */
export function orderingTrend(counts: OrderingCounts[]): OrderingMonth[] {
  return [...counts].sort((a, b) => a.month.localeCompare(b.month)).map(orderingMonth);
}

/**
 * How complete one brief is when no checklist score exists: the share of its fields that are filled
 * (a non-blank string, a non-empty list or object, any number or boolean).
 */
export function filledShare(fields: Record<string, unknown>): number {
  const values = Object.values(fields);
  if (values.length === 0) return 0;
  const filled = values.filter((v) => {
    if (v === null || v === undefined) return false;
    if (typeof v === 'string') return v.trim().length > 0;
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === 'object') return Object.keys(v).length > 0 && filledShare(v as Record<string, unknown>) > 0;
    return true;
  });
  return filled.length / values.length;
}
