import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

// Secrets must never reach a log line, whatever a caller passes in.
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-site-key"]',
  'headers["x-site-key"]',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'bank_account',
  '*.bank_account',
  'account_number',
  '*.account_number',
];

export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>, name = 'kaizen'): Logger {
  return pino({
    name,
    level: config.logLevel,
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(config.logPretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  });
}

export type { Logger };
