// `npm run dev`: everything in one process tree, on embedded defaults (src/stack.ts). Ctrl-C stops it
// all in order: API (no new requests), worker (drains), Temporal server, Postgres, within 10 s
// whatever is dead. The embedded servers are supervised (infra/supervise.ts): one that dies is restarted.
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startStack } from '../stack.ts';
import { untilSignal } from './processes.ts';

export async function dev(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  const stopping = untilSignal();
  const stack = await startStack({ config, log, admin: true, worker: true, renderWorker: true, schedules: true, web: true, api: true });
  const api = stack.apiUrl!;
  const ui = stack.embeddedTemporal ? `http://localhost:${config.temporalUiPort}` : '(external cluster: see its own UI)';
  process.stdout.write(
    [
      '',
      'Kaizen Desk is up.',
      `  Web back office  ${api}/   (sign in with a token; npm run dev:web for hot reload)`,
      `  API              ${api}`,
      `  OpenAPI docs     ${api}/docs   (document: ${api}/openapi.json)`,
      `  Mailbox          ${config.mail.embedded ? `${api}/dev/mailbox   (the embedded SMTP server's messages; SMTP at ${config.mail.smtpUrl})` : `(SMTP_URL: e-mail goes to ${new URL(config.mail.smtpUrl!).host})`}`,
      `  Temporal UI      ${ui}`,
      `  Temporal server  ${stack.temporalAddress}  namespace ${config.temporalNamespace}`,
      `  Admin token      ${stack.adminToken}`,
      '',
      // The token is printed once, above; the example refers to where it is kept.
      `  try: curl -H "Authorization: Bearer ${config.bootstrapAdminToken ? '$KAIZEN_BOOTSTRAP_ADMIN_TOKEN' : `$(cat ${path.join(config.dataDir, 'admin-token')})`}" ${api}/v1/clients`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  const signal = await stopping;
  log.info({ signal }, 'shutting down');
  const cut = await stack.stop();
  log.info('stopped');
  // What was cut short (a worker still polling a dead server) would keep the process alive.
  if (cut) process.exit(process.exitCode ?? 0);
}
