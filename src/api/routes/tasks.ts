// `/v1/tasks`: what waits for the caller now, from every domain that asks people for something.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { billingTasks } from '../../billing/queries.ts';
import { cycleTasks } from '../../cycles/views.ts';
import { briefTasks } from '../../cycles/brief.ts';
import { financeTasks, payeeChangeTasks, payeeTasks } from '../../payouts/tasks.ts';
import { waitingForMessage } from '../../domain/messages.ts';
import { STAFF } from '../auth.ts';
import { authErrors } from '../schemas/common.ts';
import { type Task, Tasks } from '../schemas/cycles.ts';
import type { ApiDeps } from '../deps.ts';

export const taskRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db }) => {
  type Item = Static<typeof Task>;
  type Raw = Omit<Item, 'waiting_for_code' | 'waiting_for_params'>;
  /** Each task with its waiting-for as a code, its client's and its preparer's names (one query each, not per task). */
  async function named(items: Raw[]): Promise<Item[]> {
    const engagementIds = [...new Set(items.map((t) => t.engagement_id).filter((id) => id != null))];
    const userIds = [...new Set(items.map((t) => t.prepared_by).filter((id) => id != null))];
    const [clients, users] = await Promise.all([
      engagementIds.length
        ? db.selectFrom('engagements').innerJoin('clients', 'clients.id', 'engagements.client_id').select(['engagements.id', 'clients.name']).where('engagements.id', 'in', engagementIds).execute()
        : [],
      userIds.length ? db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute() : [],
    ]);
    const clientOf = new Map(clients.map((c) => [c.id, c.name]));
    const nameOf = new Map(users.map((u) => [u.id, u.name]));
    return items.map((t) => {
      const w = waitingForMessage(t.waiting_for);
      return {
        ...t,
        waiting_for_code: w?.code ?? null,
        waiting_for_params: w?.params ?? {},
        ...(t.engagement_id != null && clientOf.has(t.engagement_id) ? { client_name: clientOf.get(t.engagement_id)! } : {}),
        ...(t.prepared_by != null ? { prepared_by_name: nameOf.get(t.prepared_by) ?? null } : {}),
      };
    });
  }

  app.get(
    '/v1/tasks',
    {
      config: { roles: [...STAFF, 'finance', 'client', 'hacker'] },
      schema: {
        tags: ['tasks'],
        summary: 'What waits for me now',
        description:
          'CS and admin: plans and selections due, failed cycles (CS: their engagements only); clients: their plans and selections; hackers: offers open to them; hackers also: transfers of theirs that failed or came back (fix_bank_details, with the reason and a link); finance: payout runs to review, remittances to record, runs needing attention (each failed or returned transfer with its reason), payee changes to review (review_payee_change; hackers: answer_payee_change when finance asked about theirs), invoice drafts, unmatched receipts and overdue invoices (CS and clients: their overdue invoices). Ended engagements ask nobody for anything.',
        response: { 200: Tasks, ...authErrors },
      },
    },
    async (req) => {
      const items: Raw[] = await cycleTasks(db, req.user);
      if (req.user.role === 'admin' || req.user.role === 'cs_manager') items.push(...(await briefTasks(db, req.user)));
      if (req.user.role === 'finance') items.push(...(await financeTasks(db, req.user.id, { role: req.user.role })), ...(await payeeChangeTasks(db)));
      if (req.user.role === 'hacker' && req.user.hacker_id != null) {
        items.push(...(await payeeTasks(db, req.user.hacker_id)), ...(await payeeChangeTasks(db, { hackerId: req.user.hacker_id })));
      }
      if (req.user.role !== 'hacker') items.push(...(await billingTasks(db, req.user)));
      return { items: await named(items) };
    },
  );
};
