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
    // 16 random characters were accepted: too few to be a secret worth 256-bit tokens' company.
    ['KAIZEN_BOOTSTRAP_ADMIN_TOKEN', 'Xq7vR2mK9pL4wT8z'],
    // Long but not random.
    ['KAIZEN_BOOTSTRAP_ADMIN_TOKEN', 'a'.repeat(40)],
    ['KAIZEN_BOOTSTRAP_ADMIN_TOKEN', 'adminadminadminadminadminadmin123'],
    ['KAIZEN_AUTH_FAILURES_PER_ADDRESS', '0'],
    ['KAIZEN_AUTH_FAILURES_PER_PREFIX', 'many'],
    ['KAIZEN_AUTH_FAILURE_WINDOW_SECONDS', '0'],
    ['TEMPORAL_UI_PORT', '0'],
    ['KAIZEN_BANK_KEY', 'deadbeef'],
    ['KAIZEN_PAYOUT_DAY', '31'],
    ['KAIZEN_PAYER_BANK_CODE', '12'],
    ['KAIZEN_PAYER_ACCOUNT_TYPE', '4'],
    ['KAIZEN_RENDER_TIMEOUT_MS', '10'],
    ['KAIZEN_RENDER_MAX_HEIGHT', 'tall'],
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

  it('keeps screenshots under the data folder unless an S3 bucket is named; bounds renders', () => {
    expect(loadConfig({}).blobs).toEqual({ s3: undefined });
    expect(loadConfig({}).render).toEqual({ timeoutMs: 20_000, maxHeight: 8000 });
    expect(loadConfig({ KAIZEN_BLOB_S3_BUCKET: 'kaizen-shots', KAIZEN_BLOB_S3_ENDPOINT: 'https://s3.example.jp', KAIZEN_BLOB_S3_REGION: 'ap-northeast-1' }).blobs.s3).toEqual({
      bucket: 'kaizen-shots',
      endpoint: 'https://s3.example.jp',
      region: 'ap-northeast-1',
      prefix: 'blobs/',
    });
    expect(() => loadConfig({ KAIZEN_BLOB_S3_BUCKET: 'b', KAIZEN_BLOB_S3_ENDPOINT: 's3.example.jp' })).toThrow(/KAIZEN_BLOB_S3_ENDPOINT/);
  });

  it('accepts a random bootstrap admin token of 32+ characters; limits failed authentication by default', () => {
    const token = 'kzd_q3VJ9xT2mB7rL0sN5wY8cF1hK4dP6gZaE';
    expect(loadConfig({ KAIZEN_BOOTSTRAP_ADMIN_TOKEN: token }).bootstrapAdminToken).toBe(token);
    expect(loadConfig({}).authFailures).toEqual({ perAddress: 50, perPrefix: 20, windowSeconds: 60 });
    expect(loadConfig({ KAIZEN_AUTH_FAILURES_PER_ADDRESS: '5', KAIZEN_AUTH_FAILURES_PER_PREFIX: '3', KAIZEN_AUTH_FAILURE_WINDOW_SECONDS: '600' }).authFailures).toEqual({
      perAddress: 5,
      perPrefix: 3,
      windowSeconds: 600,
    });
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
