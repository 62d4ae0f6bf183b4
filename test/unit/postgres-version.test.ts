import { describe, expect, it } from 'vitest';
import { postgresVersionProblem, REQUIRED_POSTGRES_MAJOR } from '../../src/db/version.ts';

describe('the PostgreSQL version rule', () => {
  it('accepts 18 and newer, refuses 16 and 17 naming the version and why', () => {
    expect(REQUIRED_POSTGRES_MAJOR).toBe(18);
    expect(postgresVersionProblem(180001)).toBeUndefined();
    expect(postgresVersionProblem(190000)).toBeUndefined();
    expect(postgresVersionProblem(170005)).toMatch(/PostgreSQL 17 found; .* 18 or newer .*RETURNING old\/new/);
    expect(postgresVersionProblem(160009)).toMatch(/PostgreSQL 16 found/);
  });
});
