// Verdict of a test over several metrics: corrected goal metrics, guardrails, CUPED.
import type {
  CupedRequest,
  CupedResult,
  SegmentSrmRequest,
  SegmentSrmResult,
  TestVerdictRequest,
  TestVerdictResult,
} from './types.ts';

export const DEFAULT_CUPED_MIN_SHARE = 0.1;

export function computeTestVerdict(_req: TestVerdictRequest): TestVerdictResult {
  throw new Error('not implemented');
}

export function computeSegmentSrm(_req: SegmentSrmRequest): SegmentSrmResult {
  throw new Error('not implemented');
}

export function computeCuped(_req: CupedRequest): CupedResult {
  throw new Error('not implemented');
}
