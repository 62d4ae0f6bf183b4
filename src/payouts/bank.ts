// Bank adapters. The pay activity calls `transfer` once per payee with the idempotency key
// `${runId}:${payeeId}`; an adapter must treat a repeated key as the same transfer (a real bank API
// does so with its idempotency header). Throwing = transient (the activity retries later); returning
// `failed` = the bank refused for good (the item stays unpaid and visible; a later run picks it up).
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { encryptJson } from './crypto.ts';
import type { BankAccount } from './payees.ts';

export interface TransferRequest {
  idempotencyKey: string;
  runId: number;
  payeeId: number;
  /** Net transfer, integer yen. */
  amount: number;
  /** YYYY-MM-DD. */
  transferDate: string;
  account: BankAccount;
  /** The item's attempt (1 unless finance retried a failed or returned transfer): the run's file number. */
  attempt?: number;
}

export interface TransferResult {
  /** Handed to the bank (not yet confirmed: only a result says the money arrived), or refused at once. */
  status: 'handed_to_bank' | 'failed';
  reference: string;
  reason?: string;
}

/** What a bank's transfer API says about one transfer (by the idempotency key we sent it with). */
export interface TransferStatus {
  idempotencyKey: string;
  /** `handed_to_bank`: the bank has it and has not executed it yet. */
  state: 'handed_to_bank' | 'confirmed' | 'failed' | 'returned';
  /** The bank's code and words for a failed or returned transfer (shown to finance and the payee). */
  reason?: string;
}

export interface BankAdapter {
  readonly name: string;
  transfer(req: TransferRequest): Promise<TransferResult>;
  /** Optional bulk form (same semantics per request, results in order); used for whole chunks when present. */
  transferMany?(reqs: TransferRequest[]): Promise<TransferResult[]>;
  /**
   * Optional, for a bank with a transfer API: one transfer's state now; undefined when the bank does not
   * know the key. A file bank has none: its results come as a file (src/payouts/bank-results.ts).
   */
  status?(idempotencyKey: string): Promise<TransferStatus | undefined>;
  /**
   * Optional, for a bank with a transfer API: the results it reported after `cursor` (null: from the
   * start) and the cursor to ask with next time. Applied by recordAdapterResults (bank-results.ts).
   */
  results?(cursor: string | null): Promise<{ results: TransferStatus[]; cursor: string | null }>;
}

export const zenginLineAad = (key: string) => `zengin:${key}`;

/**
 * Default adapter: adds the transfer to the run's Zengin 総合振込 file (one encrypted line per key; the
 * file is assembled on download with buildZenginFile) and reports it handed to the bank: only the bank's
 * result (imported, or marked by hand) confirms it.
 */
export class ZenginFileBankAdapter implements BankAdapter {
  readonly name = 'zengin-file';
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
  ) {}

  async transfer(req: TransferRequest): Promise<TransferResult> {
    await this.db
      .insertInto('payout_zengin_lines')
      .values({
        idempotency_key: req.idempotencyKey,
        run_id: req.runId,
        hacker_id: req.payeeId,
        amount: req.amount,
        transfer_encrypted: encryptJson(this.key, zenginLineAad(req.idempotencyKey), req.account),
        file_no: req.attempt ?? 1,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
    return { status: 'handed_to_bank', reference: `zengin:${req.runId}:${req.payeeId}` };
  }

  async transferMany(reqs: TransferRequest[]): Promise<TransferResult[]> {
    if (reqs.length === 0) return [];
    await sql`
      insert into payout_zengin_lines (idempotency_key, run_id, hacker_id, amount, transfer_encrypted, file_no)
      select * from unnest(${reqs.map((r) => r.idempotencyKey)}::text[], ${reqs.map((r) => r.runId)}::bigint[],
                           ${reqs.map((r) => r.payeeId)}::bigint[], ${reqs.map((r) => r.amount)}::bigint[],
                           ${reqs.map((r) => encryptJson(this.key, zenginLineAad(r.idempotencyKey), r.account))}::text[],
                           ${reqs.map((r) => r.attempt ?? 1)}::int[])
      on conflict (idempotency_key) do nothing
    `.execute(this.db);
    return reqs.map((r) => ({ status: 'handed_to_bank' as const, reference: `zengin:${r.runId}:${r.payeeId}` }));
  }
}

export interface SimulatedBankOptions {
  /** Probability (0..1) that a call fails transiently (throws), decided by a seeded hash. */
  failureRate?: number;
  seed?: string;
  /** Payees the bank refuses for good (account closed…). */
  rejects?: (req: TransferRequest) => boolean;
  /** Latency per call, ms. */
  latencyMs?: number;
}

/**
 * Simulated bank for dev and tests. Deterministic: whether call n for a key fails depends only on the
 * seed, the key and n. It executes a key once (table simulated_bank_transfers) and answers repeated
 * keys with the first result, counting the calls.
 */
export class SimulatedBankAdapter implements BankAdapter {
  readonly name = 'simulated';
  private readonly attempts = new Map<string, number>();
  constructor(
    private readonly db: Db,
    private readonly opts: SimulatedBankOptions = {},
  ) {}

  private roll(key: string, attempt: number): number {
    const h = createHash('sha256').update(`${this.opts.seed ?? 'kaizen'}:${key}:${attempt}`).digest();
    return h.readUInt32BE(0) / 0x1_0000_0000;
  }

  async transfer(req: TransferRequest): Promise<TransferResult> {
    const attempt = (this.attempts.get(req.idempotencyKey) ?? 0) + 1;
    this.attempts.set(req.idempotencyKey, attempt);
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    if (this.roll(req.idempotencyKey, attempt) < (this.opts.failureRate ?? 0)) {
      throw new Error(`simulated bank: timeout (attempt ${attempt})`);
    }
    const rejected = this.opts.rejects?.(req) ?? false;
    const row = await this.db
      .insertInto('simulated_bank_transfers')
      .values({
        idempotency_key: req.idempotencyKey,
        amount: req.amount,
        status: rejected ? 'failed' : 'sent',
        reference: `SIM-${req.runId}-${req.payeeId}`,
      })
      .onConflict((oc) => oc.column('idempotency_key').doUpdateSet({ calls: sql`simulated_bank_transfers.calls + 1` }))
      .returning(['status', 'reference'])
      .executeTakeFirstOrThrow();
    return {
      status: row.status === 'sent' ? 'handed_to_bank' : 'failed',
      reference: row.reference,
      ...(row.status === 'sent' ? {} : { reason: 'simulated bank: account closed' }),
    };
  }
}

export function createBankAdapter(kind: 'zengin' | 'simulated', db: Db, key: Buffer): BankAdapter {
  return kind === 'simulated' ? new SimulatedBankAdapter(db, { failureRate: 0.2 }) : new ZenginFileBankAdapter(db, key);
}
