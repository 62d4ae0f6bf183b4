import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_OPS, verdict } from '../../src/domain/stats/index.ts';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';

const request = {
  engine: 'frequentist',
  metric_type: 'binomial',
  arms: [
    { arm: 'control', n: 5000, conversions: 500 },
    { arm: 'B', n: 5000, conversions: 580 },
  ],
  weights: [0.5, 0.5],
} as const;

function cli(args: string[], input: string) {
  return spawnSync(process.execPath, ['bin/kaizen.js', ...args], { input, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
}

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(() => h.close());

describe('verdict engine surfaces: CLI, HTTP and function agree', () => {
  const expected = JSON.parse(JSON.stringify(verdict(request as never)));

  it('`kaizen stats verdict` reads stdin, writes the result, exits 0', () => {
    const r = cli(['stats', 'verdict'], JSON.stringify(request));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(expected.decision.outcome).toBe('winner');
  });

  it('invalid input exits 2 with the error shape on stderr, naming the field', () => {
    const r = cli(['stats', 'verdict'], JSON.stringify({ ...request, arms: [{ arm: 'control', n: -1, conversions: 0 }, request.arms[1]] }));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const err = JSON.parse(r.stderr);
    expect(err.error.code).toBe('validation_error');
    expect(err.error.details.map((d: { path: string }) => d.path)).toContain('/arms/0/n');
    expect(cli(['stats', 'nope'], '{}').status).toBe(2);
    expect(cli(['stats', 'srm'], 'not json').status).toBe(2);
  });

  it('POST /v1/stats/:op returns the same JSON; 400 names the field; hackers may not call it', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const ok = await h.app.inject({ method: 'POST', url: '/v1/stats/verdict', headers: cs.auth, payload: request });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual(expected);

    const bad = await h.app.inject({ method: 'POST', url: '/v1/stats/sample-size', headers: cs.auth, payload: { baseline_rate: 2, mde_relative: 0.1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toContain('/body/baseline_rate');

    const size = await h.app.inject({
      method: 'POST',
      url: '/v1/stats/sample-size',
      headers: cs.auth,
      payload: { baseline_rate: 0.1, mde_relative: 0.1, daily_traffic: 2000 },
    });
    expect(size.statusCode).toBe(200);
    expect(size.json().n_total).toBe(size.json().n_per_variant * 2);
    expect(size.json().days).toBe(Math.ceil(size.json().n_total / 2000));

    const hacker = await userWithToken(h.db, 'hacker', {
      hackerId: (await h.db.insertInto('hackers').values({ display_name: 'h', kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id,
    });
    expect((await h.app.inject({ method: 'POST', url: '/v1/stats/verdict', headers: hacker.auth, payload: request })).statusCode).toBe(403);
  });

  it('test-verdict, segment-srm and cuped: CLI, HTTP and function agree; the TypeBox schema names a bad field', async () => {
    const cs = await userWithToken(h.db, 'cs_manager');
    const arms = (c: number[]) => c.map((conversions, i) => ({ arm: i === 0 ? 'control' : `V${i}`, n: 10000, conversions }));
    const bodies = {
      // best raw p about 0.03 of three treatments: not a winner under Holm
      'test-verdict': { engine: 'frequentist', metrics: [{ id: 'conversion', kind: 'binomial', role: 'primary', arms: arms([1000, 1092, 1050, 1020]) }], weights: [1, 1, 1, 1] },
      'segment-srm': { weights: [0.5, 0.5], segments: [{ dimension: 'device', value: 'phone', users: [7000, 6500] }] },
      cuped: {
        kind: 'mean',
        arms: [
          { arm: 'control', n: 5000, sum: 1.5e6, sum_squares: 4.1e9, pre_n: 2500, pre_sum: 1.4e6, pre_sum_squares: 3.9e9, pre_cross_sum: 2.9e9 },
          { arm: 'B', n: 5000, sum: 1.6e6, sum_squares: 4.3e9, pre_n: 2480, pre_sum: 1.38e6, pre_sum_squares: 3.8e9, pre_cross_sum: 2.95e9 },
        ],
      },
    };
    for (const [op, body] of Object.entries(bodies)) {
      const fromCli = cli(['stats', op], JSON.stringify(body));
      expect(fromCli.status, fromCli.stderr).toBe(0);
      const res = await h.app.inject({ method: 'POST', url: `/v1/stats/${op}`, headers: cs.auth, payload: body });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json(), op).toEqual(JSON.parse(fromCli.stdout));
    }
    const tv = JSON.parse(cli(['stats', 'test-verdict'], JSON.stringify(bodies['test-verdict'])).stdout);
    expect(tv.decision).toMatchObject({ outcome: 'inconclusive', code: 'inconclusive', correction: { method: 'holm', comparisons: 3 } });
    expect(tv.variants[0].p_value_adjusted).toBeGreaterThan(0.05);

    const bad = await h.app.inject({
      method: 'POST',
      url: '/v1/stats/test-verdict',
      headers: cs.auth,
      payload: { ...bodies['test-verdict'], correction: 'bonferroni' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toContain('/body/correction');
    // what a schema cannot say (exactly one primary) the domain still names
    const two = await h.app.inject({
      method: 'POST',
      url: '/v1/stats/test-verdict',
      headers: cs.auth,
      payload: { engine: 'frequentist', metrics: [{ id: 'a', kind: 'binomial', role: 'secondary', arms: arms([1, 2]) }] },
    });
    expect(two.statusCode).toBe(400);
    expect(two.json().error.details.map((d: { path: string }) => d.path)).toContain('/body/metrics');
  });

  it('OpenAPI publishes the request fields of every op (closed objects the fuzzer can generate)', async () => {
    type S = { properties?: Record<string, unknown>; additionalProperties?: unknown; required?: string[] };
    const doc = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: S }> } } }> };
    for (const op of STATS_OPS) {
      const schema = doc.paths[`/v1/stats/${op}`]!.post!.requestBody!.content['application/json']!.schema;
      expect(Object.keys(schema.properties ?? {}).length, op).toBeGreaterThan(1);
      expect(schema.additionalProperties, op).toBe(false);
    }
    const tv = doc.paths['/v1/stats/test-verdict']!.post!.requestBody!.content['application/json']!.schema;
    expect(tv.required).toEqual(expect.arrayContaining(['engine', 'metrics']));
    expect(Object.keys(tv.properties!)).toEqual(expect.arrayContaining(['correction', 'cuped', 'weights', 'decision_population']));
  });
});
