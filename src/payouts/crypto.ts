// Application-level encryption of bank details (and the My Number vault) at rest: AES-256-GCM
// (node:crypto), a fresh 96-bit IV per value, the row's identity as additional authenticated data (a
// ciphertext copied to another row does not decrypt). Envelope: `v2.<key id>.<iv>.<tag>.<ciphertext>`
// in base64url; the key id lets a key ring rotate (new envelopes use the ring's first key, any listed
// key decrypts). `v1.<iv>.<tag>.<ciphertext>` envelopes (before key ids) are tried with every key of
// the ring: GCM's tag tells the right one. `kaizen payees rekey` re-encrypts old envelopes (src/payouts/rekey.ts).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config, KeyRing } from '../config.ts';
import { resolveDevKey } from '../infra/dev-keys.ts';

const DEFAULT_KEY_ID = 'k1';

/** The id new envelopes carry (a plain key is k1). */
export function currentKeyId(key: KeyRing): string {
  return key.keyId ?? DEFAULT_KEY_ID;
}

function ringOf(key: KeyRing): ReadonlyMap<string, Buffer> {
  return key.ring ?? new Map([[currentKeyId(key), key]]);
}

export function encryptJson(key: KeyRing, aad: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return ['v2', currentKeyId(key), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

function open(key: Buffer, aad: string, iv: string, tag: string, ct: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
}

export function decryptJson<T>(key: KeyRing, aad: string, envelope: string): T {
  const parts = envelope.split('.');
  if (parts[0] === 'v2' && parts.length === 5) {
    const [, id, iv, tag, ct] = parts as [string, string, string, string, string];
    const k = ringOf(key).get(id);
    if (!k) throw new Error(`encrypted with key "${id}", which the key ring does not hold`);
    return JSON.parse(open(k, aad, iv, tag, ct).toString('utf8')) as T;
  }
  if (parts[0] === 'v1' && parts.length === 4) {
    const [, iv, tag, ct] = parts as [string, string, string, string];
    let last: unknown;
    for (const k of ringOf(key).values()) {
      try {
        return JSON.parse(open(k, aad, iv, tag, ct).toString('utf8')) as T;
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }
  throw new Error('unknown envelope');
}

/** True when `envelope` is not under the ring's current key (a v1 envelope, or an older key id). */
export function needsRekey(key: KeyRing, envelope: string): boolean {
  return !envelope.startsWith(`v2.${currentKeyId(key)}.`);
}

/**
 * The bank key: KAIZEN_BANK_KEY when set; otherwise, only for the embedded dev setup (no DATABASE_URL),
 * the key saved in `<dataDir>/bank-key`, generated (0600) on first use. With an external database the
 * key must be given: losing a generated key would make every stored account unreadable.
 */
export function resolveBankKey(config: Pick<Config, 'bankKey' | 'databaseUrl' | 'dataDir'>): KeyRing {
  return resolveDevKey(config, config.bankKey, 'KAIZEN_BANK_KEY', 'bank-key') as KeyRing;
}

/** The My Number vault's own key: KAIZEN_MYNUMBER_KEY (dev: `<dataDir>/mynumber-key`), as resolveBankKey. */
export function resolveMyNumberKey(config: Pick<Config, 'myNumberKey' | 'databaseUrl' | 'dataDir'>): KeyRing {
  return resolveDevKey(config, config.myNumberKey, 'KAIZEN_MYNUMBER_KEY', 'mynumber-key') as KeyRing;
}
