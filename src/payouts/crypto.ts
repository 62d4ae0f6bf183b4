// Application-level encryption of bank details at rest: AES-256-GCM (node:crypto), a fresh 96-bit IV
// per value, the row's identity as additional authenticated data (a ciphertext copied to another row
// does not decrypt). Envelope: `v1.<iv>.<tag>.<ciphertext>` in base64url.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { resolveDevKey } from '../infra/dev-keys.ts';

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
  return resolveDevKey(config, config.bankKey, 'KAIZEN_BANK_KEY', 'bank-key');
}
