// Notification activities: record an event and e-mail it to whoever gets it now (idempotent per event
// id and delivery: a retry sends only what is still pending), and the daily digests that are due.
import { Context } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { emitNotification } from '../notify/emit.ts';
import { createTransport, sendDelivery, sendDueDigests } from '../notify/mail.ts';
import type { NotificationEvent } from '../notify/types.ts';
import { deliverToWebhooks } from '../notify/webhooks.ts';
import { NOTIFY_MAX_ATTEMPTS } from '../shared/notify.ts';
import { ruledAll } from './ruled.ts';

export function notifyActivities(deps: { db: Db; config: Config }) {
  const { db, config } = deps;
  let transport: Transporter | undefined;
  const mailer = () => (transport ??= createTransport(config));
  return ruledAll({
    notify: async (event: NotificationEvent): Promise<{ emailed: number; failed: number }> => {
      const pending = await emitNotification(db, event);
      // Webhooks (src/notify/webhooks.ts): one delivery per endpoint and event id, each its own workflow.
      await deliverToWebhooks({ db, temporal: Context.current().client, config }, event);
      // The last attempt records a failure (visible to admins) instead of throwing once more.
      const final = Context.current().info.attempt >= NOTIFY_MAX_ATTEMPTS;
      let emailed = 0;
      let failed = 0;
      for (const id of pending) {
        const r = await sendDelivery(db, mailer(), config, id, final);
        if (r === 'sent') emailed++;
        if (r === 'failed') failed++;
      }
      return { emailed, failed };
    },
    sendDueDigests: (i: { at: number }) => sendDueDigests(db, mailer(), config, i.at),
  });
}
