// A 32-byte secret key from the configuration; in the embedded dev setup only (no DATABASE_URL), the
// key saved in `<dataDir>/<file>`, generated (0600) on first use. With an external database the key
// must be given: losing a generated key would make what it protects unreadable or invalid.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from '../config.ts';

export function resolveDevKey(config: Pick<Config, 'databaseUrl' | 'dataDir'>, given: Buffer | undefined, env: string, file: string): Buffer {
  if (given) return given;
  if (config.databaseUrl) throw new ConfigError(env, 'is required with DATABASE_URL (32 bytes, hex or base64: openssl rand -base64 32)');
  const saved = path.join(config.dataDir, file);
  if (existsSync(saved)) {
    const key = Buffer.from(readFileSync(saved, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
    throw new ConfigError(env, `${saved} does not hold a 32-byte base64 key`);
  }
  const key = randomBytes(32);
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(saved, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  return key;
}
