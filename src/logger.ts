import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
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
  'my_number',
  '*.my_number',
];

/** `destination`: where lines go instead of stdout (a test reads every line the app writes). */
export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>, name = 'kaizen', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name,
    level: config.logLevel,
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(config.logPretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
