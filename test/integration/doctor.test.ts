// `kaizen doctor` against the run's real PostgreSQL and Temporal: every check passes with the settings a
// deployment has; an unreachable Temporal, a database with unapplied migrations and missing production
// settings each fail with what to fix. The version rule itself: test/unit/postgres-version.test.ts.
import { inject } from 'vitest';
import { describe, expect, it } from 'vitest';
import { loadConfigWith } from '../../src/config.ts';
import { runChecks } from '../../src/cli/doctor.ts';
import { ensureDatabase } from '../../src/db/index.ts';
import { freePort } from '../../src/infra/ports.ts';

const base = () => ({ DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace'), KAIZEN_ALLOW_DEMO_VALUES: '1' });
const byName = (checks: Awaited<ReturnType<typeof runChecks>>) => Object.fromEntries(checks.map((c) => [c.name, c]));

describe('kaizen doctor', () => {
  it('passes on the run’s PostgreSQL 18 and Temporal with the search attributes registered', async () => {
    const checks = byName(await runChecks(loadConfigWith({ overrides: base() })));
    expect(checks.postgres).toMatchObject({ ok: true, detail: expect.stringMatching(/^PostgreSQL 18\./) });
    expect(checks.migrations).toMatchObject({ ok: true });
    expect(checks.temporal).toMatchObject({ ok: true });
    expect(checks['search attributes']).toMatchObject({ ok: true });
  });

  it('names what to fix: Temporal unreachable, migrations not applied, production settings missing', async () => {
    // A database of its own with no tables (the migration test migrates the shared empty one).
    const empty = new URL(inject('databaseUrl'));
    empty.pathname = `/doctor_empty_${process.pid}`;
    await ensureDatabase(empty.toString());
    const env = { ...base(), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, DATABASE_URL: empty.toString(), NODE_ENV: 'production' };
    delete (env as Record<string, string>).KAIZEN_ALLOW_DEMO_VALUES;
    const checks = byName(await runChecks(loadConfigWith({ overrides: env })));
    expect(checks.temporal).toMatchObject({ ok: false, fix: expect.stringMatching(/TEMPORAL_ADDRESS/) });
    expect(checks.migrations).toMatchObject({ ok: false, fix: expect.stringMatching(/kaizen migrate/) });
    expect(checks.settings).toMatchObject({ ok: false, detail: expect.stringMatching(/KAIZEN_BANK_KEY/) });
  }, 60_000);
});
