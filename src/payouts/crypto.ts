// Application-level encryption of bank details at rest: AES-256-GCM (node:crypto), a fresh 96-bit IV
// per value, the row's identity as additional authenticated data (a ciphertext copied to another row
// does not decrypt). Envelope: `v1.<iv>.<tag>.<ciphertext>` in base64url.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from '../config.ts';

export function encryptJson(key: Buffer, aad: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function decryptJson<T>(key: Buffer, aad: string, envelope: string): T {
  const [version, iv, tag, ct] = envelope.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('unknown bank-details envelope');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as T;
}

/**
 * The bank key: KAIZEN_BANK_KEY when set; otherwise, only for the embedded dev setup (no DATABASE_URL),
 * the key saved in `<dataDir>/bank-key`, generated (0600) on first use. With an external database the
 * key must be given: losing a generated key would make every stored account unreadable.
 */
export function resolveBankKey(config: Pick<Config, 'bankKey' | 'databaseUrl' | 'dataDir'>): Buffer {
  if (config.bankKey) return config.bankKey;
  if (config.databaseUrl) {
    throw new ConfigError('KAIZEN_BANK_KEY', 'is required with DATABASE_URL (32 bytes, hex or base64: openssl rand -base64 32)');
  }
  const file = path.join(config.dataDir, 'bank-key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
    throw new ConfigError('KAIZEN_BANK_KEY', `${file} does not hold a 32-byte base64 key`);
  }
  const key = randomBytes(32);
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  return key;
}
