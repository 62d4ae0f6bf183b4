// The final decision of a test as a person reads it: the engine's decision, corrected for how the
// test ended (an SRM overrides any lift; a test stopped by CS before a decision says so instead of
// "keep running").
import type { Decision, TestDecision } from '../stats/index.ts';

export type TestEnd =
  | { by: 'srm'; reason: string }
  | { by: 'cs'; reason: string }
  | { by: 'engine' | 'planned_sample' | 'max_duration'; reason: string };

export function finalDecision<D extends Decision | TestDecision>(engine: D, end: TestEnd): D {
  if (end.by === 'srm' && engine.outcome !== 'invalid') {
    return { ...engine, outcome: 'invalid', arm: undefined, reason: `sample ratio mismatch: ${end.reason}` };
  }
  if (engine.outcome !== 'inconclusive') return engine;
  if (end.by === 'cs') {
    return { ...engine, reason: `${end.reason} before the test reached a decision: no treatment differs clearly from the control in the data collected` };
  }
  if (end.by === 'planned_sample' || end.by === 'max_duration') {
    return { ...engine, reason: `${end.reason} without a clear difference: no treatment beats or loses to the control` };
  }
  return engine;
}
