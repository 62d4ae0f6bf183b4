// The embedded SMTP server (dev, the demo, the tests): a real SMTP listener on a free loopback port
// that parses what it receives (mailparser) and keeps it in Postgres (mailbox_messages), where the
// dev mailbox (GET /v1/dev/mailbox) reads it. A message is kept once per Message-ID.
import type { AddressObject } from 'mailparser';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';

export interface MailCatcher {
  /** smtp://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address ?? '')).filter(Boolean);

export async function startMailCatcher(db: Db, log: Logger, port = 0): Promise<MailCatcher> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 5 * 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of mail.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()] as const)) headers[k] = v;
          const rcpt = session.envelope.rcptTo.map((r) => r.address);
          await db
            .insertInto('mailbox_messages')
            .values({
              message_id: mail.messageId ?? `<catcher-${Date.now()}-${Math.random().toString(36).slice(2)}>`,
              mail_from: (session.envelope.mailFrom && session.envelope.mailFrom.address) || addresses(mail.from)[0] || '',
              rcpt_to: rcpt.length ? rcpt : addresses(mail.to),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              headers: JSON.stringify(headers),
            })
            .onConflict((oc) => oc.column('message_id').doNothing())
            .execute();
        })
        .then(() => callback(), (err: Error) => {
          log.error({ err }, 'the embedded SMTP server could not keep a message');
          callback(err);
        });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.on('error', (err) => log.warn({ err }, 'embedded SMTP server'));
  const { port: bound } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${bound}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
