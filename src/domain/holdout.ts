// Persistent holdout per client site: a configurable share of visitors always gets the original page
// in every test of that client, so the total effect of all shipped winners can be measured against
// them. Sticky per visitor ACROSS tests: the point depends on the client and the visitor only (never
// the test), hashed like assignment.ts: SHA-256 of the UTF-8 string `holdout:${clientId}:${visitorId}`,
// top 53 bits of the digest / 2^53 → u in [0, 1); the visitor is held out when u < percent / 100.
// A browser SDK must apply exactly this rule (and then assignment.ts for everyone else).
import * as crypto from 'node:crypto';

export function holdoutPoint(clientId: number, visitorId: string): number {
  const hex = crypto.createHash('sha256').update(`holdout:${clientId}:${visitorId}`, 'utf8').digest('hex');
  const high = parseInt(hex.slice(0, 8), 16);
  const low = parseInt(hex.slice(8, 14), 16) >>> 3;
  return (high * 2 ** 21 + low) / 2 ** 53;
}

export function inHoldout(clientId: number, visitorId: string, percent: number): boolean {
  return percent > 0 && holdoutPoint(clientId, visitorId) < percent / 100;
}

export interface Group {
  n: number;
  conversions: number;
}

/**
 * Everyone else's conversion rate against the holdout's: absolute and relative difference with a
 * normal-approximation interval (relative by the delta method). Null figures when a group is empty or
 * the holdout never converts.
 */
export function holdoutEffect(holdout: Group, rest: Group, z = 1.959964) {
  if (holdout.n === 0 || rest.n === 0) return { holdout_rate: null, rest_rate: null, absolute: null, absolute_ci: null, relative: null, relative_ci: null };
  const p0 = holdout.conversions / holdout.n;
  const p1 = rest.conversions / rest.n;
  const v0 = (p0 * (1 - p0)) / holdout.n;
  const v1 = (p1 * (1 - p1)) / rest.n;
  const abs = p1 - p0;
  const seAbs = Math.sqrt(v0 + v1);
  const out = { holdout_rate: p0, rest_rate: p1, absolute: abs, absolute_ci: [abs - z * seAbs, abs + z * seAbs] as [number, number], relative: null as number | null, relative_ci: null as [number, number] | null };
  if (p0 > 0) {
    const rel = p1 / p0 - 1;
    const seRel = Math.sqrt(v1 / (p0 * p0) + (p1 * p1 * v0) / p0 ** 4);
    out.relative = rel;
    out.relative_ci = [rel - z * seRel, rel + z * seRel];
  }
  return out;
}
