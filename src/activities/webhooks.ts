// Webhook delivery activities: thin wrappers over src/notify/webhooks.ts. Inputs and outputs are ids
// and codes only: the secret and the body are read from the database by the attempt.
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { Transporter } from 'nodemailer';
import { createTransport } from '../notify/mail.ts';
import { attemptDelivery, failDelivery, mailEndpointDisabled } from '../notify/webhooks.ts';
import { ruled } from './ruled.ts';

export function webhookActivities(deps: { db: Db; config: Pick<Config, 'webhooks' | 'mail'> }) {
  const { db, config } = deps;
  let transport: Transporter | undefined;
  return {
    /** One attempt; an endpoint's non-2xx answer, a timeout or a refused address throws (retried by the workflow's policy). */
    attemptWebhookDelivery: (i: { deliveryId: number }) => ruled(() => attemptDelivery(db, config.webhooks, i.deliveryId)),
    /** The retries ran out: the delivery is failed and its endpoint's failures counted (maybe disabled). */
    failWebhookDelivery: (i: { deliveryId: number }) =>
      ruled(async () => {
        const { disabledEndpoint } = await failDelivery(db, config.webhooks, i.deliveryId);
        return { disabledEndpointId: disabledEndpoint?.id ?? null };
      }),
    /** E-mails the admins that an endpoint was disabled (its own activity: a failed send retries only the mail). */
    mailWebhookDisabled: (i: { endpointId: number }) => ruled(async () => ({ admins: await mailEndpointDisabled(db, (transport ??= createTransport(config)), config, i.endpointId) })),
  };
}
