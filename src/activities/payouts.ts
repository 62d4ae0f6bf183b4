// Payout activities: thin wrappers over src/payouts/runs.ts. Inputs and outputs are ids, counts and
// amounts only; bank details are loaded and decrypted here, never passed through Temporal.
import { Context } from '@temporalio/activity';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { createBankAdapter, type BankAdapter } from '../payouts/bank.ts';
import { ruled } from './ruled.ts';
import { resolveBankKey } from '../payouts/crypto.ts';
import { settleRun, type RunSettlement } from '../payouts/transfers.ts';
import {
  blockRun,
  decideRun,
  draftRun,
  finishPayments,
  noteReminder,
  noteWaiting,
  openRun,
  payBatch,
  recordRemittance,
  setItemHold,
} from '../payouts/runs.ts';
import type { DraftSummary, PayBatchResult, PaySummary, PayoutRunStatus } from '../shared/payouts.ts';

export interface PayoutActivityDeps {
  db: Db;
  /** The process's configuration, handed in by whoever started the worker (never read here). */
  config: Config;
  /** AES-256-GCM key for bank details; default: from the config (KAIZEN_BANK_KEY or the dev key file). */
  bankKey?: Buffer;
  /** Default: from the config (KAIZEN_BANK_ADAPTER, zengin file unless "simulated"). */
  bankAdapter?: BankAdapter;
}

/** Seconds a pay attempt leases its payees' bank calls (see payPayoutBatch). */
export const PAY_LEASE_SECONDS = 8;

export function payoutActivities(deps: PayoutActivityDeps) {
  const { db } = deps;
  let key: Buffer | undefined = deps.bankKey;
  let bank: BankAdapter | undefined = deps.bankAdapter;
  // Resolved on first use: a worker that never pays never needs (or creates) the dev key file.
  const bankKey = () => (key ??= resolveBankKey(deps.config));
  const adapter = () => (bank ??= createBankAdapter(deps.config.payout.bankAdapter, db, bankKey()));

  return {
    async openPayoutRun(input: { month: string; preparedBy: number | null }): Promise<{ runId: number; created: boolean; status: PayoutRunStatus }> {
      const { run, created } = await ruled(() => openRun(db, input.month, input.preparedBy));
      return { runId: run.id, created, status: run.status };
    },

    async draftPayoutRun(input: { runId: number; payDay: number }): Promise<DraftSummary> {
      return ruled(() => draftRun(db, input.runId, input.payDay));
    },

    async setPayoutItemHold(input: { runId: number; itemId: number; hold: boolean; reason: string; by: number; updateId: string }) {
      return ruled(() => setItemHold(db, input));
    },

    async decidePayoutRun(input: { runId: number; approve: boolean; by: number; reason?: string; updateId: string }) {
      return ruled(() => decideRun(db, input));
    },

    async payPayoutBatch(input: { runId: number; afterItemId: number; limit: number }): Promise<PayBatchResult> {
      const ctx = Context.current();
      let progress = { lastItemId: input.afterItemId };
      return ruled(
        () =>
          payBatch(
            {
              db,
              key: bankKey(),
              bank: adapter(),
              // Longer than the pay activities' heartbeatTimeout (5 s): an attempt whose worker died
              // gives its payees up within seconds; a live one keeps heartbeating, so no other
              // attempt exists to take them over.
              leaseSeconds: PAY_LEASE_SECONDS,
              onProgress: (lastItemId) => {
                progress = { lastItemId };
                ctx.heartbeat(progress);
              },
            },
            input.runId,
            input.afterItemId,
            input.limit,
          ),
        () => progress,
      );
    },

    /** How the run stands after the hand-over (results awaited, items to resolve or to hand over again). */
    async settlePayoutRun(input: { runId: number }): Promise<RunSettlement> {
      return ruled(() => settleRun(db, input.runId));
    },

    async finishPayoutRun(input: { runId: number }): Promise<PaySummary> {
      return ruled(() => finishPayments(db, input.runId));
    },

    async recordPayoutRemittance(input: { runId: number; by: number; remittedOn: string; note?: string; updateId: string }) {
      return ruled(() => recordRemittance(db, input));
    },

    async remindPayoutRun(input: { runId: number; phase: string; n: number; waitingFor: string }): Promise<void> {
      Context.current().log.warn('payout run is waiting', { runId: input.runId, phase: input.phase, waitingFor: input.waitingFor, reminder: input.n });
      await noteReminder(db, input.runId, input.phase, input.n, input.waitingFor);
    },

    async notePayoutWaiting(input: { runId: number; waitingFor: string | null }): Promise<void> {
      await noteWaiting(db, input.runId, input.waitingFor);
    },

    async blockPayoutRun(input: { runId: number; phase: string; reason: string }): Promise<void> {
      await blockRun(db, input.runId, input.phase, input.reason);
    },
  };
}
