// Temporal payload encryption: AES-256-GCM over each whole payload (metadata and data), so Temporal's
// own storage holds only ciphertext. The key id travels in the payload metadata, so a key rotation
// keeps old histories readable: new payloads use the first key, any listed key decodes.
//
// One deliberate exception: a payload that is a bare JSON string stays in the clear. In this code base
// only UI text is a bare string (workflow summaries and details, activity summaries), it never holds
// personal data (ids and phases only; see docs/security.md), and the Temporal UI can
// show it without the codec server. Every input, result, update, signal and query payload is an object.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { ConfigError } from '../config.ts';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
// CommonJS: named imports do not resolve under Node's ESM loader.
const { temporal } = proto;
const enc = new TextEncoder();
const dec = new TextDecoder();

export interface PayloadKeys {
  /** The key new payloads are encrypted with. */
  current: { id: string; key: Buffer };
  /** Every key that may decode (the current one included). */
  byId: Map<string, Buffer>;
}

/** `id:base64key,id2:base64key` — the first encrypts, all decode. */
export function parsePayloadKeys(raw: string): PayloadKeys {
  const entries = raw.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const [id, b64] = part.split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || !/^[\w.-]{1,40}$/.test(id) || key.length !== 32) {
      throw new ConfigError('KAIZEN_PAYLOAD_KEYS', 'expected id:base64key[,id:base64key…] with 32-byte keys (openssl rand -base64 32)');
    }
    return [id, key] as const;
  });
  if (entries.length === 0) throw new ConfigError('KAIZEN_PAYLOAD_KEYS', 'names no key');
  return { current: { id: entries[0]![0], key: entries[0]![1] }, byId: new Map(entries) };
}

/**
 * The keys: KAIZEN_PAYLOAD_KEYS when set; otherwise, only for the embedded dev setup (no
 * DATABASE_URL), `<dataDir>/payload-keys`, generated (0600) on first use.
 */
export function resolvePayloadKeys(config: { payloadKeys: string | undefined; databaseUrl: string | undefined; dataDir: string }): PayloadKeys {
  if (config.payloadKeys) return parsePayloadKeys(config.payloadKeys);
  if (config.databaseUrl) throw new ConfigError('KAIZEN_PAYLOAD_KEYS', 'is required with DATABASE_URL (id:base64 of 32 bytes, e.g. k1:$(openssl rand -base64 32))');
  const file = path.join(config.dataDir, 'payload-keys');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, `k1:${randomBytes(32).toString('base64')}`, { mode: 0o600, flag: 'wx' });
  }
  return parsePayloadKeys(readFileSync(file, 'utf8').trim());
}

function isBareJsonString(p: Payload): boolean {
  const encoding = p.metadata?.encoding ? dec.decode(p.metadata.encoding) : '';
  return encoding === 'json/plain' && p.data !== undefined && p.data !== null && p.data[0] === 0x22; // '"'
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeys) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      if (isBareJsonString(p)) return p;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.keys.current.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: { encoding: enc.encode(ENCRYPTED_ENCODING), [KEY_ID]: enc.encode(this.keys.current.id) },
        data: Buffer.concat([iv, cipher.getAuthTag(), ct]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const encoding = p.metadata?.encoding ? dec.decode(p.metadata.encoding) : '';
      if (encoding !== ENCRYPTED_ENCODING) return p; // never encrypted (UI text, or written before encryption)
      const id = p.metadata?.[KEY_ID] ? dec.decode(p.metadata[KEY_ID]) : '';
      const key = this.keys.byId.get(id);
      if (!key) throw new Error(`payload encrypted with unknown key id "${id}"`);
      const data = Buffer.from(p.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

export function dataConverterFor(keys: PayloadKeys): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)] };
}
