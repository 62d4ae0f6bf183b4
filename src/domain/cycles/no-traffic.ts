// A running test that has seen no visitor for hours: the site key or the SDK snippet is most likely
// missing on the client's page, and the test would run silently to `invalid`. The test page warns
// with what to check; notifications (`test.no_traffic`) use the same predicate.
import type { Message } from '../messages.ts';

/** Default hours without an exposure before a running test is flagged (KAIZEN_NO_TRAFFIC_HOURS). */
export const NO_TRAFFIC_HOURS_DEFAULT = 24;

export interface TrafficState {
  status: string;
  startedAt: Date | string;
  /** Exposures over every arm so far. */
  exposures: number;
}

/** Whether a test has had no exposure `hours` after it started while still running. */
export function hasNoTraffic(t: TrafficState, now: Date, hours: number): boolean {
  if (t.status !== 'running' || t.exposures > 0) return false;
  return now.getTime() - new Date(t.startedAt).getTime() >= hours * 3_600_000;
}

/** The warning a test view carries when hasNoTraffic holds. */
export function noTrafficWarning(t: TrafficState, now: Date, hours: number): Message | null {
  return hasNoTraffic(t, now, hours) ? { code: 'test.no_traffic', params: { hours } } : null;
}
