// A short API fuzzing run on every `npm test` (bounded examples, fixed seed): no 5xx, nothing outside
// the documented schemas or the error shape, no schema-violating request accepted, for an admin, a
// client user, a hacker and the CS manager of another client. `npm run fuzz` runs the longer version.
import { describe, expect, it } from 'vitest';
import { fuzz } from '../../scripts/fuzz.ts';

describe('API fuzzing (schemathesis)', () => {
  it('finds no server error and no schema violation for admin, client, hacker and the CS of another client', async () => {
    const results = await fuzz({ examples: 2, seed: 20261202, log: () => undefined });
    for (const r of results) expect(r.failures, `${r.role}: ${r.summary}`).toEqual([]);
    for (const r of results) expect(r.exitCode, `${r.role}:\n${r.output.slice(-3000)}`).toBe(0);
    expect(results.map((r) => r.role)).toEqual(['admin', 'client', 'hacker', 'cs_other']);
  }, 900_000);
});
