// Engagement use cases shared by the API and the CLI: persist first, then start the workflow, so
// Postgres always holds the record and a failed start can be retried idempotently.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { Engagement, User } from '../db/schema.ts';
import { settingsProblems } from '../domain/cycles/design.ts';
import { tokyoMonthOf } from '../domain/months.ts';
import { ValidationError } from '../domain/errors.ts';
import { engagementWorkflowId, type EngagementWorkflowState, type OfferMode } from '../shared/engagements.ts';
import { engagementWorkflow } from '../workflows/engagement.ts';
import { ClientIdKey, EngagementIdKey, EngagementStatusKey } from '../workflows/search-attributes.ts';

export interface NewEngagement {
  client_id: number;
  cs_manager_id?: number;
  offer_mode: OfferMode;
  monthly_fee_yen: number;
  start_month?: string;
  month_length_seconds?: number;
  /** Cycle settings (fees, phase durations, verdict settings); defaults for what is left out. */
  settings?: Record<string, number | string>;
  /** Pages under improvement. */
  pages?: { url: string; page_type: string; baseline_rate: number; daily_visitors: number; value_per_conversion_yen: number }[];
}

export { engagementWorkflowId };

export async function createEngagement(
  db: Db,
  actor: User,
  input: NewEngagement,
  idempotencyKey: string | undefined,
  now = Date.now(),
): Promise<{ engagement: Engagement; replayed: boolean }> {
  if (idempotencyKey) {
    const existing = await db
      .selectFrom('engagements')
      .selectAll()
      .where('created_by', '=', actor.id)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    if (existing) return { engagement: existing, replayed: true };
  }
  const details = [];
  const csManagerId = input.cs_manager_id ?? (actor.role === 'cs_manager' ? actor.id : undefined);
  if (csManagerId === undefined) {
    details.push({ path: '/cs_manager_id', message: 'is required when an admin creates an engagement' });
  } else {
    const cs = await db.selectFrom('users').select('role').where('id', '=', csManagerId).executeTakeFirst();
    if (cs?.role !== 'cs_manager') details.push({ path: '/cs_manager_id', message: 'is not a CS manager' });
  }
  const client = await db.selectFrom('clients').select('id').where('id', '=', input.client_id).executeTakeFirst();
  if (!client) details.push({ path: '/client_id', message: 'no such client' });
  const thisMonth = tokyoMonthOf(now);
  const startMonth = input.start_month ?? thisMonth;
  if (startMonth < thisMonth) details.push({ path: '/start_month', message: `must not be before ${thisMonth}` });
  input.pages?.forEach((p, i) => {
    if (input.pages!.findIndex((q) => q.url === p.url) !== i) details.push({ path: `/pages/${i}/url`, message: 'is listed twice' });
  });
  if (details.length) throw new ValidationError(`${details[0]!.path} ${details[0]!.message}`, details);

  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: number }>`select nextval(pg_get_serial_sequence('engagements', 'id'))::bigint as id`.execute(trx);
    const id = rows[0]!.id;
    const inserted = await trx
      .insertInto('engagements')
      .values({
        id,
        client_id: input.client_id,
        cs_manager_id: csManagerId!,
        offer_mode: input.offer_mode,
        monthly_fee_yen: input.monthly_fee_yen,
        start_month: startMonth,
        status: 'active',
        workflow_id: engagementWorkflowId(id),
        month_length_seconds: input.month_length_seconds ?? null,
        idempotency_key: idempotencyKey ?? null,
        created_by: actor.id,
      })
      .onConflict((oc) => oc.columns(['created_by', 'idempotency_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) {
      // Settings and pages go in with the row: the first cycle starts right away and reads them.
      const settings = await trx.insertInto('engagement_settings').values({ ...input.settings, engagement_id: id } as never).returningAll().executeTakeFirstOrThrow();
      if (input.pages?.length) await trx.insertInto('pages').values(input.pages.map((p) => ({ ...p, engagement_id: id }))).execute();
      // Settings and pages must make a test that can be planned (the rule test creation applies too);
      // the defaults come from the database, so they are checked after the insert (rolled back on error).
      const problems = settingsProblems(settings, input.pages ?? [], '/settings');
      if (problems.length) throw new ValidationError(`${problems[0]!.path} ${problems[0]!.message}`, problems);
      return { engagement: inserted, replayed: false };
    }
    // A concurrent request with the same key won the race.
    const existing = await trx
      .selectFrom('engagements')
      .selectAll()
      .where('created_by', '=', actor.id)
      .where('idempotency_key', '=', idempotencyKey!)
      .executeTakeFirstOrThrow();
    return { engagement: existing, replayed: true };
  });
}

/** Starts the engagement's workflow; already started (or already finished) counts as success. */
export async function startEngagementWorkflow(
  temporal: Client,
  taskQueue: string,
  engagement: Engagement,
): Promise<void> {
  const state: EngagementWorkflowState = {
    engagementId: engagement.id,
    clientId: engagement.client_id,
    month: engagement.start_month,
    monthsCompleted: 0,
    status: 'active',
    ...(engagement.month_length_seconds ? { monthLengthMs: engagement.month_length_seconds * 1000 } : {}),
  };
  try {
    await temporal.workflow.start(engagementWorkflow, {
      workflowId: engagement.workflow_id,
      taskQueue,
      args: [state],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: EngagementIdKey, value: String(engagement.id) },
        { key: ClientIdKey, value: String(engagement.client_id) },
        { key: EngagementStatusKey, value: 'active' },
      ],
      // Summaries are never encrypted (see infra/payload-codec.ts): ids only, never the client's name.
      staticSummary: `Engagement #${engagement.id} (client #${engagement.client_id})`,
      staticDetails: `Offer mode ${engagement.offer_mode}; monthly fee ¥${engagement.monthly_fee_yen.toLocaleString('en-US')}; from ${engagement.start_month}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Starts workflows for engagements that Postgres has but Temporal lacks (e.g. a crash after insert). */
export async function reconcileEngagementWorkflows(db: Db, temporal: Client, taskQueue: string): Promise<number> {
  const rows = await db
    .selectFrom('engagements')
    .selectAll('engagements')
    .where('engagements.status', '!=', 'ended')
    .execute();
  let started = 0;
  for (const row of rows) {
    try {
      await temporal.workflow.getHandle(row.workflow_id).describe();
    } catch {
      await startEngagementWorkflow(temporal, taskQueue, row);
      started++;
    }
  }
  return started;
}

/** A page of engagements by id with the client's name; `ownClientId` pins a client user to its company, `clientId` and `status` filter. */
export function listEngagements(db: Db, f: { ownClientId?: number; clientId?: number; status?: Engagement['status']; afterId?: number; limit: number }) {
  // With the client's and the CS manager's names: a list names engagements by who they are for.
  let q = db
    .selectFrom('engagements')
    .innerJoin('clients', 'clients.id', 'engagements.client_id')
    .leftJoin('users as cs', 'cs.id', 'engagements.cs_manager_id')
    .selectAll('engagements')
    .select(['clients.name as client_name', 'cs.name as cs_manager_name'])
    .orderBy('engagements.id')
    .limit(f.limit);
  if (f.ownClientId !== undefined) q = q.where('engagements.client_id', '=', f.ownClientId);
  if (f.clientId) q = q.where('engagements.client_id', '=', f.clientId);
  if (f.status) q = q.where('engagements.status', '=', f.status);
  if (f.afterId) q = q.where('engagements.id', '>', f.afterId);
  return q.execute();
}

/** Hands the engagement to another CS manager; false (nothing changed) when that user is not one. */
export async function reassignCsManager(db: Db, engagementId: number, csManagerId: number): Promise<boolean> {
  const cs = await db.selectFrom('users').select('role').where('id', '=', csManagerId).executeTakeFirst();
  if (cs?.role !== 'cs_manager') return false;
  await db.updateTable('engagements').set({ cs_manager_id: csManagerId, updated_at: new Date() }).where('id', '=', engagementId).execute();
  return true;
}
