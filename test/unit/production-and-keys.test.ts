// Production refuses demo values (src/config.ts) and the bank-details key ring (src/payouts/crypto.ts).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assertProductionSettings, loadConfig } from '../../src/config.ts';
import { decryptJson, encryptJson, needsRekey } from '../../src/payouts/crypto.ts';

const key = () => randomBytes(32).toString('base64');
const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  KAIZEN_ISSUER_NAME: '本番株式会社',
  KAIZEN_ISSUER_ADDRESS: '東京都港区1-2-3',
  KAIZEN_ISSUER_REGISTRATION_NUMBER: 'T5010001008846',
  KAIZEN_PAYER_NAME: 'ﾎﾝﾊﾞﾝ(ｶ',
  KAIZEN_PAYER_REQUESTER_CODE: '1234567890',
  KAIZEN_PAYER_BANK_CODE: '0005',
  KAIZEN_PAYER_BRANCH_CODE: '001',
  KAIZEN_PAYER_ACCOUNT_NUMBER: '7654321',
  KAIZEN_BANK_KEY: key(),
  KAIZEN_PAYLOAD_KEYS: `p1:${key()}`,
  KAIZEN_PREVIEW_KEY: key(),
  KAIZEN_MYNUMBER_KEY: key(),
  SMTP_URL: 'smtp://mail.example.com:587',
};

describe('production refuses demo values', () => {
  it('a production config with every setting starts', () => {
    expect(() => assertProductionSettings(loadConfig(PRODUCTION_ENV))).not.toThrow();
  });

  it("without the issuer's T-number it fails naming it, and names every other missing setting in the same message", () => {
    const { KAIZEN_ISSUER_REGISTRATION_NUMBER: _t, KAIZEN_MYNUMBER_KEY: _m, ...env } = PRODUCTION_ENV;
    expect(() => assertProductionSettings(loadConfig(env))).toThrow(/KAIZEN_ISSUER_REGISTRATION_NUMBER \(the issuer's T-number\).*KAIZEN_MYNUMBER_KEY/);
  });

  it('production requires an SMTP server for notifications (the embedded one is for dev, the demo and tests)', () => {
    const { SMTP_URL: _s, ...env } = PRODUCTION_ENV;
    expect(() => assertProductionSettings(loadConfig(env))).toThrow(/SMTP_URL \(the SMTP server notifications are sent through\)/);
    expect(() => loadConfig({ SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL/);
  });

  it('an external database is production too; the simulated bank is refused there', () => {
    const { NODE_ENV: _n, ...env } = PRODUCTION_ENV;
    const c = loadConfig({ ...env, DATABASE_URL: 'postgres://u:p@db/k', KAIZEN_BANK_ADAPTER: 'simulated' });
    expect(() => assertProductionSettings(c)).toThrow(/KAIZEN_BANK_ADAPTER=simulated/);
    expect(() => assertProductionSettings(loadConfig({ DATABASE_URL: 'postgres://u:p@db/k' }))).toThrow(/KAIZEN_ISSUER_NAME.*KAIZEN_PAYER_REQUESTER_CODE.*KAIZEN_BANK_KEY.*KAIZEN_PAYLOAD_KEYS/);
  });

  it('the embedded dev setup and an opted-out throwaway database keep the demo values; NODE_ENV=production cannot opt out', () => {
    expect(() => assertProductionSettings(loadConfig({}))).not.toThrow();
    expect(() => assertProductionSettings(loadConfig({ DATABASE_URL: 'postgres://u:p@db/k', KAIZEN_ALLOW_DEMO_VALUES: '1' }))).not.toThrow();
    expect(() => assertProductionSettings(loadConfig({ NODE_ENV: 'production', KAIZEN_ALLOW_DEMO_VALUES: '1' }))).toThrow(/KAIZEN_ISSUER_NAME/);
  });
});

describe('bank-details key ring', () => {
  it('old envelopes keep decrypting after a rotation, new ones use the newest key, and an unknown key id is named', () => {
    const oldKey = key();
    const before = loadConfig({ KAIZEN_BANK_KEY: oldKey }).bankKey!;
    const sealed = encryptJson(before, 'payee:1:bank', { n: 1 });
    expect(sealed.startsWith('v2.k1.')).toBe(true);

    const after = loadConfig({ KAIZEN_BANK_KEY: `k2:${key()},k1:${oldKey}` }).bankKey!;
    expect(decryptJson(after, 'payee:1:bank', sealed)).toEqual({ n: 1 });
    expect(needsRekey(after, sealed)).toBe(true);
    const resealed = encryptJson(after, 'payee:1:bank', { n: 1 });
    expect(resealed.startsWith('v2.k2.')).toBe(true);
    expect(needsRekey(after, resealed)).toBe(false);

    const onlyNew = loadConfig({ KAIZEN_BANK_KEY: `k3:${key()}` }).bankKey!;
    expect(() => decryptJson(onlyNew, 'payee:1:bank', sealed)).toThrow(/key "k1"/);
  });

  it('a v1 envelope (before key ids) decrypts with whichever key of the ring sealed it; the row identity still binds it', () => {
    const k1 = randomBytes(32);
    const v2 = encryptJson(k1, 'payee:7:bank', 'x');
    const [, , iv, tag, ct] = v2.split('.');
    const v1 = ['v1', iv, tag, ct].join('.');
    const ring = loadConfig({ KAIZEN_BANK_KEY: `new:${key()},old:${k1.toString('base64')}` }).bankKey!;
    expect(decryptJson(ring, 'payee:7:bank', v1)).toBe('x');
    expect(() => decryptJson(ring, 'payee:8:bank', v1)).toThrow();
  });
});
