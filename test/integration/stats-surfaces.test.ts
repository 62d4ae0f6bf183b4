import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verdict } from '../../src/domain/stats/index.ts';
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
});
