// Managed growth hackers: contracted for a monthly retainer paid in advance. The retainer accrues at
// the start of each Tokyo month as its own ledger kind (`managed_retainer`), one line per contract and
// month (unique key), so the monthly schedule, a retried activity or a replay write it once; payout
// drafting takes it with every other unpaid line (withholding as design work). It stops after the
// contract's end month.
import type { Db } from '../db/index.ts';
import { RuleError } from '../domain/errors.ts';
import { monthStartUtcMs } from '../domain/months.ts';

export const managedRetainerKey = (hackerId: number, contractId: number, month: string) => `managed_retainer:${hackerId}:${contractId}:${month}`;

export async function createContract(db: Db, input: { hackerId: number; monthlyRetainerYen: number; startMonth: string; endMonth: string | null; actorUserId: number }) {
  if (input.endMonth !== null && input.endMonth < input.startMonth) throw new RuleError('conflict', `end_month ${input.endMonth} is before start_month ${input.startMonth}`);
  // The overlap check and the insert under a lock on the hacker's row: parallel requests queue, so
  // at most one contract covers any month.
  return db.transaction().execute(async (trx) => {
    const hacker = await trx.selectFrom('hackers').select('id').where('id', '=', input.hackerId).forUpdate().executeTakeFirst();
    if (!hacker) throw new RuleError('not_found', `hacker ${input.hackerId} does not exist`);
    const open = await trx
      .selectFrom('managed_contracts')
      .select(['id', 'start_month', 'end_month'])
      .where('hacker_id', '=', input.hackerId)
      .where((eb) => eb.or([eb('end_month', 'is', null), eb('end_month', '>=', input.startMonth)]))
      .executeTakeFirst();
    if (open) throw new RuleError('conflict', `hacker ${input.hackerId} already has managed contract ${open.id} (${open.start_month}–${open.end_month ?? 'open-ended'}) overlapping ${input.startMonth}`);
    return trx
      .insertInto('managed_contracts')
      .values({ hacker_id: input.hackerId, monthly_retainer_yen: input.monthlyRetainerYen, start_month: input.startMonth, end_month: input.endMonth, created_by: input.actorUserId })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export async function endContract(db: Db, input: { contractId: number; endMonth: string; actorUserId: number }) {
  const c = await db.selectFrom('managed_contracts').selectAll().where('id', '=', input.contractId).executeTakeFirst();
  if (!c) throw new RuleError('not_found', `managed contract ${input.contractId} does not exist`);
  if (input.endMonth < c.start_month) throw new RuleError('conflict', `end_month ${input.endMonth} is before the contract's start_month ${c.start_month}`);
  if (c.end_month !== null && c.end_month <= input.endMonth) return c;
  return db.updateTable('managed_contracts').set({ end_month: input.endMonth, ended_by: input.actorUserId }).where('id', '=', c.id).returningAll().executeTakeFirstOrThrow();
}

export async function listContracts(db: Db, hackerId: number) {
  return db.selectFrom('managed_contracts').selectAll().where('hacker_id', '=', hackerId).orderBy('id').execute();
}

/** The month's retainer lines of every contract live in `month`; returns how many were new. */
export async function accrueManagedRetainers(db: Db, input: { month: string }): Promise<{ month: string; contracts: number; accrued: number }> {
  const contracts = await db
    .selectFrom('managed_contracts')
    .selectAll()
    .where('start_month', '<=', input.month)
    .where((eb) => eb.or([eb('end_month', 'is', null), eb('end_month', '>=', input.month)]))
    .execute();
  if (contracts.length === 0) return { month: input.month, contracts: 0, accrued: 0 };
  const deliveredAt = new Date(monthStartUtcMs(input.month));
  const inserted = await db
    .insertInto('earnings_ledger')
    .values(
      contracts.map((c) => ({
        unique_key: managedRetainerKey(c.hacker_id, c.id, input.month),
        kind: 'managed_retainer' as const,
        hacker_id: c.hacker_id,
        engagement_id: null,
        cycle_id: null,
        offer_id: null,
        proposal_id: null,
        amount_yen: c.monthly_retainer_yen,
        month: input.month,
        delivered_at: deliveredAt,
        reverses_id: null,
        description: `Managed growth hacker retainer for ${input.month} (contract #${c.id}, paid in advance)`,
      })),
    )
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .returning('id')
    .execute();
  return { month: input.month, contracts: contracts.length, accrued: inserted.length };
}
