// Validation of untrusted JSON bodies for the stats ops. Every bad field is reported with a
// JSON-pointer path; the typed core never sees unvalidated input.
import { ValidationError } from '../errors.ts';
import type { ErrorDetail } from '../errors.ts';
import type {
  AdjustRequest,
  CupedRequest,
  SegmentSrmRequest,
  TestVerdictRequest,
  MdeRequest,
  PowerRequest,
  SampleSizeRequest,
  SrmRequest,
  VerdictRequest,
} from './types.ts';

const MAX_ARMS = 1000;
const MAX_P_VALUES = 100_000;

type Obj = Record<string, unknown>;

class Checker {
  readonly details: ErrorDetail[] = [];
  constructor(readonly body: Obj) {}

  fail(path: string, message: string): void {
    this.details.push({ path, message });
  }

  has(key: string): boolean {
    return this.body[key] !== undefined;
  }

  enumOf<T extends string>(key: string, values: readonly T[], required: boolean): void {
    const v = this.body[key];
    if (v === undefined) {
      if (required) this.fail(`/${key}`, `is required (one of ${values.join(', ')})`);
      return;
    }
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.fail(`/${key}`, `must be one of ${values.join(', ')}`);
    }
  }

  number(
    key: string,
    opts: { required?: boolean; min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean; nonZero?: boolean },
  ): void {
    checkNumber(this, this.body[key], `/${key}`, opts);
  }

  boolean(key: string): void {
    const v = this.body[key];
    if (v !== undefined && typeof v !== 'boolean') this.fail(`/${key}`, 'must be a boolean');
  }

  throwIfAny(what: string): void {
    if (this.details.length > 0) {
      throw new ValidationError(`invalid ${what} request: ${this.details.map((d) => `${d.path} ${d.message}`).join('; ')}`, this.details);
    }
  }
}

interface NumOpts {
  required?: boolean;
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
  nonZero?: boolean;
}

function describe(o: NumOpts): string {
  const parts: string[] = [];
  if (o.min !== undefined) parts.push(`${o.minExclusive ? '>' : '>='} ${o.min}`);
  if (o.max !== undefined) parts.push(`${o.maxExclusive ? '<' : '<='} ${o.max}`);
  if (o.nonZero) parts.push('not 0');
  const kind = o.integer ? (o.min === 0 && !o.minExclusive ? 'a non-negative integer' : 'an integer') : 'a finite number';
  const extra = o.integer && o.min === 0 && !o.minExclusive ? parts.slice(1) : parts;
  return extra.length ? `must be ${kind} ${extra.join(' and ')}` : `must be ${kind}`;
}

function checkNumber(c: Checker, v: unknown, path: string, o: NumOpts): void {
  if (v === undefined) {
    if (o.required) c.fail(path, `is required (${describe(o).replace(/^must be /, '')})`);
    return;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return c.fail(path, describe(o));
  if (o.integer && !Number.isSafeInteger(v)) return c.fail(path, describe(o));
  if (o.min !== undefined && (o.minExclusive ? !(v > o.min) : !(v >= o.min))) return c.fail(path, describe(o));
  if (o.max !== undefined && (o.maxExclusive ? !(v < o.max) : !(v <= o.max))) return c.fail(path, describe(o));
  if (o.nonZero && v === 0) return c.fail(path, describe(o));
}

function asObject(body: unknown, what: string): Obj {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError(`invalid ${what} request: the body must be a JSON object`, [
      { path: '', message: 'must be a JSON object' },
    ]);
  }
  return body as Obj;
}

const ALPHA: NumOpts = { min: 0, max: 1, minExclusive: true, maxExclusive: true };

function checkPrior(c: Checker, prior: unknown): void {
  if (prior === undefined) return;
  if (typeof prior !== 'object' || prior === null || Array.isArray(prior)) {
    c.fail('/prior', 'must be an object {"proper": false} or {"proper": true, "mean", "stddev"}');
    return;
  }
  const p = prior as Obj;
  if (typeof p.proper !== 'boolean') c.fail('/prior/proper', 'is required and must be a boolean');
  checkNumber(c, p.mean, '/prior/mean', {});
  checkNumber(c, p.stddev, '/prior/stddev', { min: 0, minExclusive: true });
}

export function validateVerdictRequest(body: unknown): VerdictRequest {
  const o = asObject(body, 'verdict');
  const c = new Checker(o);
  c.enumOf('engine', ['frequentist', 'bayesian', 'sequential'] as const, true);
  c.enumOf('metric_type', ['binomial', 'mean'] as const, true);
  c.enumOf('difference', ['relative', 'absolute'] as const, false);
  c.number('alpha', ALPHA);
  c.enumOf('side', ['two-sided', 'greater', 'lesser'] as const, false);
  c.boolean('inverse');
  c.number('sequential_tuning_parameter', { min: 0, minExclusive: true });
  c.number('risk_threshold', { min: 0 });
  checkPrior(c, o.prior);
  const metric = o.metric_type;
  const arms = o.arms;
  let armCount = -1;
  if (!Array.isArray(arms)) {
    c.fail('/arms', arms === undefined ? 'is required (an array of arms, control first)' : 'must be an array of arms, control first');
  } else if (arms.length < 1 || arms.length > MAX_ARMS) {
    c.fail('/arms', `must contain between 1 and ${MAX_ARMS} arms`);
  } else {
    armCount = arms.length;
    arms.forEach((arm: unknown, i: number) => {
      const base = `/arms/${i}`;
      if (typeof arm !== 'object' || arm === null || Array.isArray(arm)) {
        c.fail(base, 'must be an object');
        return;
      }
      const a = arm as Obj;
      if (typeof a.arm !== 'string' || a.arm.length === 0) c.fail(`${base}/arm`, 'is required and must be a non-empty string');
      checkNumber(c, a.n, `${base}/n`, { required: true, min: 0, integer: true });
      if (metric === 'binomial') {
        checkNumber(c, a.conversions, `${base}/conversions`, { required: true, min: 0, integer: true });
        if (typeof a.n === 'number' && typeof a.conversions === 'number' && a.conversions > a.n && Number.isInteger(a.conversions)) {
          c.fail(`${base}/conversions`, 'must not exceed n');
        }
      } else if (metric === 'mean') {
        checkNumber(c, a.sum, `${base}/sum`, { required: true });
        checkNumber(c, a.sum_squares, `${base}/sum_squares`, { required: true, min: 0 });
      }
    });
  }
  const weights = o.weights;
  if (weights !== undefined) {
    if (!Array.isArray(weights)) c.fail('/weights', 'must be an array of numbers, one per arm');
    else {
      if (armCount >= 0 && weights.length !== armCount) c.fail('/weights', `must have one weight per arm (${armCount})`);
      weights.forEach((w: unknown, i: number) => checkNumber(c, w, `/weights/${i}`, { min: 0 }));
    }
  }
  c.throwIfAny('verdict');
  return o as unknown as VerdictRequest;
}

export function validateSrmRequest(body: unknown): SrmRequest {
  const o = asObject(body, 'srm');
  const c = new Checker(o);
  const users = o.users;
  const weights = o.weights;
  if (!Array.isArray(users)) c.fail('/users', users === undefined ? 'is required (an array of unit counts)' : 'must be an array of unit counts');
  else if (users.length > MAX_ARMS) c.fail('/users', `must have at most ${MAX_ARMS} entries`);
  else users.forEach((u: unknown, i: number) => {
    if (u !== null) checkNumber(c, u, `/users/${i}`, { min: 0, integer: true });
  });
  if (!Array.isArray(weights)) c.fail('/weights', weights === undefined ? 'is required (an array of planned weights)' : 'must be an array of planned weights');
  else {
    if (Array.isArray(users) && weights.length !== users.length) c.fail('/weights', 'must have the same length as users');
    weights.forEach((w: unknown, i: number) => checkNumber(c, w, `/weights/${i}`, { min: 0 }));
  }
  c.throwIfAny('srm');
  return o as unknown as SrmRequest;
}

export function validateAdjustRequest(body: unknown): AdjustRequest {
  const o = asObject(body, 'adjust');
  const c = new Checker(o);
  const p = o.p_values;
  if (!Array.isArray(p)) c.fail('/p_values', p === undefined ? 'is required (an array of p-values)' : 'must be an array of p-values');
  else if (p.length > MAX_P_VALUES) c.fail('/p_values', `must have at most ${MAX_P_VALUES} entries`);
  else p.forEach((v: unknown, i: number) => checkNumber(c, v, `/p_values/${i}`, { min: 0, max: 1 }));
  c.enumOf('method', ['holm', 'benjamini-hochberg'] as const, true);
  c.throwIfAny('adjust');
  return o as unknown as AdjustRequest;
}

function checkDesign(c: Checker, o: Obj): void {
  const hasRate = o.baseline_rate !== undefined;
  const hasMean = o.mean !== undefined || o.stddev !== undefined;
  if (hasRate && hasMean) {
    c.fail('/baseline_rate', 'give either baseline_rate (binomial) or mean and stddev, not both');
  } else if (hasRate) {
    c.number('baseline_rate', { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  } else if (hasMean) {
    c.number('mean', { required: true, min: 0, minExclusive: true });
    c.number('stddev', { required: true, min: 0, minExclusive: true });
  } else {
    c.fail('/baseline_rate', 'is required (or mean and stddev for a mean metric)');
  }
  c.number('alpha', ALPHA);
  c.number('variants', { min: 2, max: MAX_ARMS, integer: true });
  c.enumOf('engine', ['frequentist', 'sequential'] as const, false);
  c.number('sequential_tuning_parameter', { min: 0, minExclusive: true });
}

function checkPower(c: Checker, o: Obj): void {
  c.number('power', ALPHA);
  const alpha = typeof o.alpha === 'number' ? o.alpha : 0.05;
  if (typeof o.power === 'number' && o.power > 0 && o.power < 1 && !(o.power > alpha)) {
    c.fail('/power', 'must be greater than alpha');
  }
}

const MDE: NumOpts = { required: true, min: -1, minExclusive: true, nonZero: true };

export function validateSampleSizeRequest(body: unknown): SampleSizeRequest {
  const o = asObject(body, 'sample-size');
  const c = new Checker(o);
  checkDesign(c, o);
  c.number('mde_relative', MDE);
  checkPower(c, o);
  c.number('daily_traffic', { min: 0, minExclusive: true });
  c.throwIfAny('sample-size');
  return o as unknown as SampleSizeRequest;
}

export function validatePowerRequest(body: unknown): PowerRequest {
  const o = asObject(body, 'power');
  const c = new Checker(o);
  checkDesign(c, o);
  c.number('mde_relative', MDE);
  c.number('n_total', { required: true, min: 1, integer: true });
  c.throwIfAny('power');
  return o as unknown as PowerRequest;
}

export function validateMdeRequest(body: unknown): MdeRequest {
  const o = asObject(body, 'mde');
  const c = new Checker(o);
  checkDesign(c, o);
  c.number('n_total', { required: true, min: 1, integer: true });
  checkPower(c, o);
  c.throwIfAny('mde');
  return o as unknown as MdeRequest;
}

// ---- test verdicts (issue 25) ----

const MAX_METRICS = 100;
const MAX_SEGMENTS = 1000;
const COVARIATE = ['pre_n', 'pre_sum', 'pre_sum_squares', 'pre_cross_sum'] as const;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One arm of one metric: the sums its kind needs, and the CUPED covariate all or nothing. */
function checkMetricArm(c: Checker, arm: unknown, base: string, kind: unknown): void {
  if (!isObj(arm)) return c.fail(base, 'must be an object');
  if (typeof arm.arm !== 'string' || arm.arm.length === 0) c.fail(`${base}/arm`, 'is required and must be a non-empty string');
  checkNumber(c, arm.n, `${base}/n`, { required: true, min: 0, integer: true });
  if (kind === 'binomial') {
    checkNumber(c, arm.conversions, `${base}/conversions`, { required: true, min: 0, integer: true });
    if (typeof arm.n === 'number' && typeof arm.conversions === 'number' && Number.isInteger(arm.conversions) && arm.conversions > arm.n) {
      c.fail(`${base}/conversions`, 'must not exceed n');
    }
  } else if (kind === 'mean') {
    checkNumber(c, arm.sum, `${base}/sum`, { required: true });
    checkNumber(c, arm.sum_squares, `${base}/sum_squares`, { required: true, min: 0 });
  } else if (kind === 'ratio') {
    checkNumber(c, arm.num_sum, `${base}/num_sum`, { required: true });
    checkNumber(c, arm.num_sum_squares, `${base}/num_sum_squares`, { required: true, min: 0 });
    checkNumber(c, arm.den_sum, `${base}/den_sum`, { required: true });
    checkNumber(c, arm.den_sum_squares, `${base}/den_sum_squares`, { required: true, min: 0 });
    checkNumber(c, arm.cross_sum, `${base}/cross_sum`, { required: true });
  }
  if (COVARIATE.some((k) => arm[k] !== undefined)) {
    checkNumber(c, arm.pre_n, `${base}/pre_n`, { required: true, min: 0, integer: true });
    if (typeof arm.pre_n === 'number' && typeof arm.n === 'number' && arm.pre_n > arm.n) c.fail(`${base}/pre_n`, 'must not exceed n');
    checkNumber(c, arm.pre_sum, `${base}/pre_sum`, { required: true });
    checkNumber(c, arm.pre_sum_squares, `${base}/pre_sum_squares`, { required: true, min: 0 });
    checkNumber(c, arm.pre_cross_sum, `${base}/pre_cross_sum`, { required: true });
  }
}

/** Arms of a metric: control first, 1..MAX_ARMS; returns their names (null when not an array). */
function checkMetricArms(c: Checker, arms: unknown, base: string, kind: unknown): string[] | null {
  if (!Array.isArray(arms)) {
    c.fail(base, arms === undefined ? 'is required (an array of arms, control first)' : 'must be an array of arms, control first');
    return null;
  }
  if (arms.length < 1 || arms.length > MAX_ARMS) {
    c.fail(base, `must contain between 1 and ${MAX_ARMS} arms`);
    return null;
  }
  arms.forEach((a: unknown, i: number) => checkMetricArm(c, a, `${base}/${i}`, kind));
  return arms.map((a: unknown) => (isObj(a) && typeof a.arm === 'string' ? a.arm : ''));
}

export function validateTestVerdictRequest(body: unknown): TestVerdictRequest {
  const o = asObject(body, 'test-verdict');
  const c = new Checker(o);
  c.enumOf('engine', ['frequentist', 'bayesian', 'sequential'] as const, true);
  c.enumOf('difference', ['relative', 'absolute'] as const, false);
  c.number('alpha', ALPHA);
  c.enumOf('side', ['two-sided', 'greater', 'lesser'] as const, false);
  c.number('sequential_tuning_parameter', { min: 0, minExclusive: true });
  c.number('risk_threshold', { min: 0 });
  c.enumOf('correction', ['holm', 'benjamini-hochberg', 'none'] as const, false);
  checkPrior(c, o.prior);
  if (o.cuped !== undefined) {
    if (!isObj(o.cuped)) c.fail('/cuped', 'must be an object {"enabled", "min_share"}');
    else {
      if (o.cuped.enabled !== undefined && typeof o.cuped.enabled !== 'boolean') c.fail('/cuped/enabled', 'must be a boolean');
      checkNumber(c, o.cuped.min_share, '/cuped/min_share', { min: 0, max: 1 });
    }
  }
  const pop = o.decision_population;
  if (pop !== undefined) {
    if (!isObj(pop)) c.fail('/decision_population', 'must be an object {"dimension", "value"}');
    else {
      if (typeof pop.dimension !== 'string' || pop.dimension.length === 0) c.fail('/decision_population/dimension', 'is required and must be a non-empty string');
      if (typeof pop.value !== 'string' || pop.value.length === 0) c.fail('/decision_population/value', 'is required and must be a non-empty string');
    }
  }
  const metrics = o.metrics;
  let armNames: string[] | null = null;
  if (!Array.isArray(metrics)) {
    c.fail('/metrics', metrics === undefined ? 'is required (an array of metrics, one primary)' : 'must be an array of metrics, one primary');
  } else if (metrics.length < 1 || metrics.length > MAX_METRICS) {
    c.fail('/metrics', `must contain between 1 and ${MAX_METRICS} metrics`);
  } else {
    const ids = new Set<string>();
    let primaries = 0;
    metrics.forEach((m: unknown, i: number) => {
      const base = `/metrics/${i}`;
      if (!isObj(m)) return c.fail(base, 'must be an object');
      if (typeof m.id !== 'string' || m.id.length === 0) c.fail(`${base}/id`, 'is required and must be a non-empty string');
      else if (ids.has(m.id)) c.fail(`${base}/id`, `duplicates metric "${m.id}"`);
      else ids.add(m.id);
      const kinds = ['binomial', 'mean', 'ratio'] as const;
      if (typeof m.kind !== 'string' || !(kinds as readonly string[]).includes(m.kind)) c.fail(`${base}/kind`, `is required (one of ${kinds.join(', ')})`);
      const roles = ['primary', 'secondary', 'guardrail'] as const;
      if (typeof m.role !== 'string' || !(roles as readonly string[]).includes(m.role)) c.fail(`${base}/role`, `is required (one of ${roles.join(', ')})`);
      if (m.role === 'primary') primaries++;
      if (m.inverse !== undefined && typeof m.inverse !== 'boolean') c.fail(`${base}/inverse`, 'must be a boolean');
      checkNumber(c, m.alpha, `${base}/alpha`, ALPHA);
      if (m.alpha !== undefined && m.role !== 'guardrail') c.fail(`${base}/alpha`, "is a guardrail's own alpha; goal metrics use the request's alpha");
      const names = checkMetricArms(c, m.arms, `${base}/arms`, m.kind);
      if (names === null) return;
      if (armNames === null) armNames = names;
      else if (names.length !== armNames.length || names.some((n, j) => n !== armNames![j])) {
        c.fail(`${base}/arms`, `must list the same arms in the same order as the first metric (${armNames.join(', ')})`);
      }
    });
    if (primaries !== 1) c.fail('/metrics', `must contain exactly one metric with role "primary" (found ${primaries})`);
  }
  const weights = o.weights;
  if (weights !== undefined) {
    if (!Array.isArray(weights)) c.fail('/weights', 'must be an array of numbers, one per arm');
    else {
      const count = (armNames as string[] | null)?.length;
      if (count !== undefined && weights.length !== count) c.fail('/weights', `must have one weight per arm (${count})`);
      weights.forEach((w: unknown, i: number) => checkNumber(c, w, `/weights/${i}`, { min: 0 }));
    }
  }
  c.throwIfAny('test-verdict');
  return o as unknown as TestVerdictRequest;
}

export function validateCupedRequest(body: unknown): CupedRequest {
  const o = asObject(body, 'cuped');
  const c = new Checker(o);
  c.enumOf('engine', ['frequentist', 'bayesian', 'sequential'] as const, false);
  c.enumOf('difference', ['relative', 'absolute'] as const, false);
  c.number('alpha', ALPHA);
  c.enumOf('kind', ['binomial', 'mean'] as const, true);
  c.boolean('inverse');
  c.number('min_share', { min: 0, max: 1 });
  checkMetricArms(c, o.arms, '/arms', o.kind);
  if (Array.isArray(o.arms)) {
    o.arms.forEach((a: unknown, i: number) => {
      if (isObj(a) && a.pre_sum === undefined) c.fail(`/arms/${i}/pre_sum`, 'is required (with pre_n, pre_sum_squares, pre_cross_sum): the covariate');
    });
  }
  c.throwIfAny('cuped');
  return o as unknown as CupedRequest;
}

export function validateSegmentSrmRequest(body: unknown): SegmentSrmRequest {
  const o = asObject(body, 'segment-srm');
  const c = new Checker(o);
  const weights = o.weights;
  if (!Array.isArray(weights)) c.fail('/weights', weights === undefined ? 'is required (an array of planned weights)' : 'must be an array of planned weights');
  else if (weights.length > MAX_ARMS) c.fail('/weights', `must have at most ${MAX_ARMS} entries`);
  else weights.forEach((w: unknown, i: number) => checkNumber(c, w, `/weights/${i}`, { min: 0 }));
  const segments = o.segments;
  if (!Array.isArray(segments)) c.fail('/segments', segments === undefined ? 'is required (an array of segments)' : 'must be an array of segments');
  else if (segments.length > MAX_SEGMENTS) c.fail('/segments', `must have at most ${MAX_SEGMENTS} entries`);
  else {
    segments.forEach((s: unknown, i: number) => {
      const base = `/segments/${i}`;
      if (!isObj(s)) return c.fail(base, 'must be an object {"dimension", "value", "users"}');
      if (typeof s.dimension !== 'string' || s.dimension.length === 0) c.fail(`${base}/dimension`, 'is required and must be a non-empty string');
      if (typeof s.value !== 'string' || s.value.length === 0) c.fail(`${base}/value`, 'is required and must be a non-empty string');
      if (!Array.isArray(s.users)) c.fail(`${base}/users`, 'is required (units per arm)');
      else {
        if (Array.isArray(weights) && s.users.length !== weights.length) c.fail(`${base}/users`, 'must have the same length as weights');
        s.users.forEach((u: unknown, j: number) => {
          if (u !== null) checkNumber(c, u, `${base}/users/${j}`, { min: 0, integer: true });
        });
      }
    });
  }
  c.throwIfAny('segment-srm');
  return o as unknown as SegmentSrmRequest;
}
