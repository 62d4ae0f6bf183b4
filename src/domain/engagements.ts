// Ending an engagement: `at_month_end` is the normal path; `immediately` needs a reason (e.g. the
// contract was terminated). The route and the workflow's update validator both ask this function.
import type { EngagementStatus } from '../shared/engagements.ts';

export interface EndProblem {
  /** Set when the request itself is malformed (HTTP 400 naming the field); else a state conflict. */
  path?: string;
  message: string;
}

export function endRequestProblem(
  current: { status: EngagementStatus; month: string | null },
  req: { mode: string; reason?: string | null },
): EndProblem | null {
  if (req.mode !== 'at_month_end' && req.mode !== 'immediately') return { path: '/mode', message: 'must be "at_month_end" or "immediately"' };
  if (req.mode === 'immediately' && !req.reason?.trim()) return { path: '/reason', message: 'is required when mode is "immediately"' };
  if (current.status === 'ended') return { message: 'the engagement has already ended' };
  if (req.mode === 'at_month_end' && current.status === 'ending') {
    return { message: `the engagement already ends at the end of ${current.month ?? 'this month'}` };
  }
  return null;
}
