import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('config', () => {
  it('has working defaults for a bare environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, temporalNamespace: 'default', temporalUiPort: 8233, databaseUrl: undefined, temporalAddress: undefined });
    expect(c.dataDir).toMatch(/\.data$/);
    expect(c.payout.payer.bank_code).toMatch(/^\d{4}$/);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['TEMPORAL_ADDRESS', 'no-port'],
    ['LOG_LEVEL', 'loud'],
    ['KAIZEN_BOOTSTRAP_ADMIN_TOKEN', 'short'],
    ['TEMPORAL_UI_PORT', '0'],
    ['KAIZEN_BANK_KEY', 'deadbeef'],
    ['KAIZEN_PAYOUT_DAY', '31'],
    ['KAIZEN_PAYER_BANK_CODE', '12'],
    ['KAIZEN_PAYER_ACCOUNT_TYPE', '4'],
  ])('an invalid %s=%s stops start-up naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toContain(name);
  });

  it('reads external services and a 32-byte bank key', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/kaizen',
      TEMPORAL_ADDRESS: 'temporal:7233',
      KAIZEN_BANK_KEY: 'ab'.repeat(32),
    });
    expect(c.databaseUrl).toBe('postgres://u:p@db:5432/kaizen');
    expect(c.temporalAddress).toBe('temporal:7233');
    expect(c.bankKey?.length).toBe(32);
  });
});
