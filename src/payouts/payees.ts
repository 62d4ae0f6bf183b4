// The payee master (part of the hacker record): tax status, invoice registration, withholding category
// and the bank account. The account is validated (Zengin name rules, bank/branch in zengin-code),
// stored encrypted, and only ever shown masked. Decryption happens in activities and file downloads.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { User } from '../db/schema.ts';
import type { HackerKind, Residency } from '../shared/payouts.ts';
import { RuleError, ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { lookupBank, lookupBranch } from '../domain/payouts/banks.ts';
import { isValidInvoiceRegistrationNumber } from '../domain/payouts/corporate-number.ts';
import { bpToPercent, percentToBp, type PayeeType } from '../domain/payouts/withholding.ts';
import { payeeType } from '../domain/payouts/payment.ts';
import { calendarDateProblem } from '../domain/payouts/validate.ts';
import { toZenginField } from '../domain/payouts/zengin-name.ts';
import { unpayableReason, type UnpayableCode } from '../domain/payouts/payability.ts';
import {
  financeOnlyFieldsIn,
  PAYEE_SELF_FIELDS,
  payeeChangeDecisionRefusal,
  selfChangeRefusal,
  type PayeeChangeDecision,
  type PayeeChangeStatus,
} from '../domain/payouts/payee-changes.ts';
import { writeAudit } from './audit.ts';
import { decryptJson, encryptJson } from './crypto.ts';

export type AccountType = '1' | '2' | '4' | '9';
export type IncomeSourceSetting = 'domestic' | 'domestic_royalty' | 'foreign_service';

/** The clear bank account: exists only in memory, inside activities and the file download. */
export interface BankAccount {
  bank_code: string;
  branch_code: string;
  account_type: AccountType;
  account_number: string;
  /** Zengin half-width kana, as the bank has it. */
  holder_name: string;
}

export interface MaskedBank {
  bank_name: string;
  branch_name: string;
  account_type: AccountType;
  account_number: string;
  holder_name: string;
}

export interface PayeeInput {
  kind?: HackerKind;
  residency?: Residency;
  legal_name?: string | null;
  address?: string | null;
  treaty?: { form_filed: boolean; limit_rate_percent?: number } | null;
  income_source?: IncomeSourceSetting;
  invoice?: { registration_number: string; registered_on: string; expires_on?: string | null } | null;
  default_category?: 'design' | 'none';
  /** Omitted: keep the stored account; null: remove it. */
  bank?: { bank_code: string; branch_code: string; account_type: AccountType; account_number: string; holder_name: string } | null;
}

export interface PayeeView {
  hacker_id: number;
  display_name: string;
  kind: HackerKind;
  residency: Residency;
  payee_type: PayeeType;
  legal_name: string | null;
  address: string | null;
  treaty: { form_filed: boolean; limit_rate_percent: number | null } | null;
  income_source: IncomeSourceSetting;
  invoice: { registration_number: string; registered_on: string | null; expires_on: string | null } | null;
  default_category: 'design' | 'none';
  bank: MaskedBank | null;
  updated_at: string | null;
  /** Whether a run would pay this payee now and, if not, why (the code a held item carries). */
  payable: { ok: boolean; code: UnpayableCode | null; reason: string | null };
  /** The payee's own change waiting for finance (pending) or for the payee (needs_info), if any. */
  open_change: { id: number; status: 'pending' | 'needs_info'; fields: string[]; comment: string | null } | null;
}

export const bankAad = (hackerId: number) => `payee:${hackerId}:bank`;


export function maskAccountNumber(n: string): string {
  return `****${n.slice(-3)}`;
}

function maskName(name: string): string {
  return name.length <= 2 ? '**' : `${name.slice(0, 2)}${'*'.repeat(Math.min(8, name.length - 2))}`;
}

/** Semantic checks the JSON schema cannot make; every problem names its field (paths under the body). */
export function validatePayeeInput(input: PayeeInput, kind: HackerKind, residency: Residency, opts: { rateByFinance?: boolean } = {}): {
  bank?: BankAccount | null;
  masked?: MaskedBank | null;
  treatyBp?: number | null;
} {
  const details: ErrorDetail[] = [];
  let treatyBp: number | null | undefined;
  if (input.treaty !== undefined && input.treaty !== null) {
    if (residency !== 'non_resident' || kind !== 'individual') {
      details.push({ path: '/treaty', message: 'applies only to non-resident individuals' });
    }
    const pct = input.treaty.limit_rate_percent;
    // A payee files the form; finance sets the limit rate it grants (a finance-only field).
    if (input.treaty.form_filed && pct === undefined && !opts.rateByFinance) {
      details.push({ path: '/treaty/limit_rate_percent', message: 'is required when the treaty form is filed (0 = exemption)' });
    }
    if (pct !== undefined) {
      const bp = percentToBp(pct);
      if (bp === undefined) {
        details.push({ path: '/treaty/limit_rate_percent', message: 'must be 0 to 100 with at most two decimals' });
      } else treatyBp = bp;
    } else treatyBp = null;
  } else if (input.treaty === null) treatyBp = null;

  if (input.invoice) {
    const inv = input.invoice;
    if (!isValidInvoiceRegistrationNumber(inv.registration_number)) {
      details.push({
        path: '/invoice/registration_number',
        message: 'must be "T" + 13 digits whose first digit is the check digit of the other 12',
      });
    }
    const registeredProblem = calendarDateProblem(inv.registered_on);
    if (registeredProblem) details.push({ path: '/invoice/registered_on', message: registeredProblem });
    if (inv.expires_on != null) {
      const expiresProblem = calendarDateProblem(inv.expires_on);
      if (expiresProblem) details.push({ path: '/invoice/expires_on', message: expiresProblem });
      else if (inv.expires_on < inv.registered_on) {
        details.push({ path: '/invoice/expires_on', message: 'must not be before registered_on' });
      }
    }
  }

  let bank: BankAccount | null | undefined;
  let masked: MaskedBank | null | undefined;
  if (input.bank === null) {
    bank = null;
    masked = null;
  } else if (input.bank) {
    const b = input.bank;
    const bankInfo = /^\d{4}$/.test(b.bank_code) ? lookupBank(b.bank_code) : undefined;
    if (!/^\d{4}$/.test(b.bank_code)) details.push({ path: '/bank/bank_code', message: 'must be 4 digits' });
    else if (!bankInfo) details.push({ path: '/bank/bank_code', message: `unknown bank code ${b.bank_code} (not in the Zengin bank list)` });
    const branchInfo = bankInfo && /^\d{3}$/.test(b.branch_code) ? lookupBranch(b.bank_code, b.branch_code) : undefined;
    if (!/^\d{3}$/.test(b.branch_code)) details.push({ path: '/bank/branch_code', message: 'must be 3 digits' });
    else if (bankInfo && !branchInfo) {
      details.push({ path: '/bank/branch_code', message: `unknown branch ${b.branch_code} of bank ${b.bank_code}` });
    }
    if (!/^\d{7}$/.test(b.account_number)) details.push({ path: '/bank/account_number', message: 'must be 7 digits' });
    if (!['1', '2', '4', '9'].includes(b.account_type)) {
      details.push({ path: '/bank/account_type', message: 'must be 1 (普通), 2 (当座), 4 (貯蓄) or 9 (その他)' });
    }
    const name = toZenginField(b.holder_name, 30);
    if (!name.ok) details.push({ path: '/bank/holder_name', message: name.error });
    if (details.length === 0 && name.ok && bankInfo && branchInfo) {
      bank = {
        bank_code: b.bank_code,
        branch_code: b.branch_code,
        account_type: b.account_type,
        account_number: b.account_number,
        holder_name: name.value,
      };
      masked = {
        bank_name: bankInfo.name,
        branch_name: branchInfo.name,
        account_type: b.account_type,
        account_number: maskAccountNumber(b.account_number),
        holder_name: maskName(name.value),
      };
    }
  }
  if (details.length) throw new ValidationError(`${details[0]!.path} ${details[0]!.message}`, details);
  return { bank, masked, treatyBp };
}

export async function getPayee(db: Db, hackerId: number): Promise<PayeeView | undefined> {
  const row = await db
    .selectFrom('hackers as h')
    .leftJoin('payees as p', 'p.hacker_id', 'h.id')
    .select([
      'h.id', 'h.display_name', 'h.kind', 'h.residency', 'p.legal_name', 'p.address', 'p.treaty_form_filed',
      'p.treaty_limit_rate_bp', 'p.income_source', 'p.invoice_registration_number', 'p.invoice_registered_on',
      'p.invoice_expires_on', 'p.default_category', 'p.bank_masked', 'p.updated_at',
    ])
    .where('h.id', '=', hackerId)
    .executeTakeFirst();
  if (!row) return undefined;
  const open = await db
    .selectFrom('payee_change_requests')
    .select(['id', 'status', 'fields', 'comment', sql<boolean>`bank_encrypted is not null`.as('has_bank')])
    .where('hacker_id', '=', hackerId)
    .where('status', 'in', ['pending', 'needs_info'])
    .executeTakeFirst();
  const openStatus = open?.status as 'pending' | 'needs_info' | undefined;
  const unpayable = unpayableReason({ has_bank: row.bank_masked != null, open_change: open && openStatus ? { status: openStatus, has_bank: open.has_bank } : null });
  return {
    payable: { ok: unpayable === null, code: unpayable?.code ?? null, reason: unpayable?.message ?? null },
    open_change: open && openStatus ? { id: open.id, status: openStatus, fields: open.fields, comment: open.comment } : null,
    hacker_id: row.id,
    display_name: row.display_name,
    kind: row.kind,
    residency: row.residency,
    payee_type: payeeType(row.kind, row.residency),
    legal_name: row.legal_name ?? null,
    address: row.address ?? null,
    treaty:
      row.treaty_form_filed || row.treaty_limit_rate_bp != null
        ? { form_filed: Boolean(row.treaty_form_filed), limit_rate_percent: row.treaty_limit_rate_bp == null ? null : bpToPercent(row.treaty_limit_rate_bp) }
        : null,
    income_source: row.income_source ?? 'domestic',
    invoice: row.invoice_registration_number
      ? {
          registration_number: row.invoice_registration_number,
          registered_on: row.invoice_registered_on ?? null,
          expires_on: row.invoice_expires_on ?? null,
        }
      : null,
    default_category: row.default_category ?? 'design',
    bank: (row.bank_masked as MaskedBank | null) ?? null,
    updated_at: row.updated_at ? row.updated_at.toISOString() : null,
  };
}

/** Creates or changes the payee record (omitted fields keep their value); audited without bank data. */
export async function upsertPayee(db: Db, key: Buffer, actor: User, hackerId: number, input: PayeeInput): Promise<PayeeView | undefined> {
  const hacker = await db.selectFrom('hackers').select(['kind', 'residency']).where('id', '=', hackerId).executeTakeFirst();
  if (!hacker) return undefined;
  const kind = input.kind ?? hacker.kind;
  const residency = input.residency ?? hacker.residency;
  const { bank, masked, treatyBp } = validatePayeeInput(input, kind, residency);
  const envelope = bank === undefined ? undefined : bank === null ? null : encryptJson(key, bankAad(hackerId), bank);
  await db.transaction().execute(async (trx) => {
    await writePayee(trx, actor, hackerId, hacker, { kind, residency }, input, treatyBp, envelope === undefined ? undefined : { envelope, masked: masked ?? null });
    const changed = Object.keys(input).filter((k) => k !== 'bank');
    await writeAudit(trx, {
      hacker_id: hackerId,
      actor: `user:${actor.id}`,
      action: 'payee_updated',
      details: {
        fields: changed,
        bank: bank === undefined ? 'unchanged' : bank === null ? 'removed' : 'replaced',
        ...(masked ? { bank_masked: masked } : {}),
        ...(kind !== hacker.kind || residency !== hacker.residency ? { kind, residency } : {}),
      },
    });
  });
  return getPayee(db, hackerId);
}

/**
 * Writes a payee record (omitted fields keep their value) and the hacker's kind/residency: the one
 * write behind finance's direct edit and an approved change. `bank`: the sealed account (or null to
 * remove it); undefined keeps it.
 */
async function writePayee(
  trx: Db,
  actor: User,
  hackerId: number,
  before: { kind: HackerKind; residency: Residency },
  after: { kind: HackerKind; residency: Residency },
  input: PayeeInput,
  treatyBp: number | null | undefined,
  bank: { envelope: string | null; masked: MaskedBank | null } | undefined,
): Promise<void> {
  const { kind, residency } = after;
  const values = {
    ...(input.legal_name !== undefined ? { legal_name: input.legal_name } : {}),
    ...(input.address !== undefined ? { address: input.address } : {}),
    ...(input.treaty !== undefined
      ? { treaty_form_filed: input.treaty?.form_filed ?? false, treaty_limit_rate_bp: treatyBp ?? null }
      : {}),
    // A resident (or a corporation) has no treaty relief: clear it when the residency changes.
    ...(input.treaty === undefined && (residency !== 'non_resident' || kind !== 'individual')
      ? { treaty_form_filed: false, treaty_limit_rate_bp: null }
      : {}),
    ...(input.income_source !== undefined ? { income_source: input.income_source } : {}),
    ...(input.invoice !== undefined
      ? {
          invoice_registration_number: input.invoice?.registration_number ?? null,
          invoice_registered_on: input.invoice?.registered_on ?? null,
          invoice_expires_on: input.invoice?.expires_on ?? null,
        }
      : {}),
    ...(input.default_category !== undefined ? { default_category: input.default_category } : {}),
    ...(bank !== undefined
      ? { bank_encrypted: bank.envelope, bank_masked: bank.masked === null ? null : JSON.stringify(bank.masked) }
      : {}),
    updated_by: actor.id,
  };
  if (kind !== before.kind || residency !== before.residency) {
    await trx.updateTable('hackers').set({ kind, residency } as never).where('id', '=', hackerId).execute();
  }
  await trx
    .insertInto('payees')
    .values({ hacker_id: hackerId, ...values })
    .onConflict((oc) => oc.column('hacker_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
    .execute();
}

/** Decrypts a payee's bank account (activities and file downloads only; never log the result). */
export function openBankAccount(key: Buffer, hackerId: number, envelope: string): BankAccount {
  return decryptJson<BankAccount>(key, bankAad(hackerId), envelope);
}


// ── Self-onboarding: a payee's own changes wait for finance ────────────────────────────────────────

export interface PayeeChangeView {
  id: number;
  hacker_id: number;
  display_name: string;
  status: PayeeChangeStatus;
  /** The fields the change sets (bank included when it carries an account or removes it). */
  fields: string[];
  /** The entered values, bank details masked. */
  changes: Omit<PayeeInput, 'bank'> & { bank?: MaskedBank | null };
  submitted_by: number;
  submitted_at: string;
  decided_by: number | null;
  decided_at: string | null;
  /** Finance's reason (rejected) or question (needs_info). */
  comment: string | null;
}

export interface PayeeChangeLogEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  change_id: number | null;
  fields: string[];
  /** The account as shown masked; "removed" / "unchanged" when no account was entered. */
  bank: MaskedBank | 'removed' | 'unchanged' | null;
  reason: string | null;
}

type ChangeKey = Parameters<typeof encryptJson>[0];

/**
 * A payee's own change (the hacker's PUT or POST): finance-only fields refused (403), the rest
 * validated as finance's edit would be (kana holder name, bank and branch codes, T-number check digit,
 * dates), the account sealed exactly as the payee record seals it, and queued `pending`. It replaces
 * the payee's open change, if any (a newer answer supersedes an asked-about one). Nothing a run reads
 * changes until finance approves it.
 */
export async function submitPayeeChange(db: Db, key: ChangeKey, actor: User, hackerId: number, input: PayeeInput): Promise<PayeeChangeView | undefined> {
  const hacker = await db.selectFrom('hackers').select(['kind', 'residency']).where('id', '=', hackerId).executeTakeFirst();
  if (!hacker) return undefined;
  const refusal = selfChangeRefusal(input as Record<string, unknown>);
  if (refusal) throw new RuleError(financeOnlyFieldsIn(input as Record<string, unknown>).length ? 'forbidden' : 'invalid', refusal);
  const residency = input.residency ?? hacker.residency;
  const { bank, masked } = validatePayeeInput(input, hacker.kind, residency, { rateByFinance: true });
  const { bank: _omit, ...changes } = input;
  const fields = PAYEE_SELF_FIELDS.filter((f) => input[f] !== undefined);
  return db.transaction().execute(async (trx) => {
    const superseded = await trx
      .updateTable('payee_change_requests')
      .set({ status: 'superseded', updated_at: sql`now()` })
      .where('hacker_id', '=', hackerId)
      .where('status', 'in', ['pending', 'needs_info'])
      .returning('id')
      .execute();
    const row = await trx
      .insertInto('payee_change_requests')
      .values({
        hacker_id: hackerId,
        fields,
        changes: JSON.stringify(changes),
        bank_encrypted: bank ? encryptJson(key, bankAad(hackerId), bank) : null,
        bank_masked: masked ? JSON.stringify(masked) : null,
        submitted_by: actor.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      hacker_id: hackerId,
      actor: `user:${actor.id}`,
      action: 'payee_change_submitted',
      details: { change_id: row.id, fields, bank: bankNote(bank, masked), ...(superseded.length ? { supersedes: superseded.map((r) => r.id) } : {}) },
    });
    return (await changeViews(trx, { id: row.id }))[0];
  });
}

function bankNote(bank: BankAccount | null | undefined, masked: MaskedBank | null | undefined): MaskedBank | 'removed' | 'unchanged' {
  return bank === undefined ? 'unchanged' : bank === null || !masked ? 'removed' : masked;
}

/**
 * Finance decides a pending change: approve (the change is written to the payee record through the
 * same write as finance's own edit, re-validated against the payee's kind now), reject with a reason,
 * or ask for more (a question back to the payee, who answers with a new change). Refusals: a change
 * that is not pending (409), an unknown one (404).
 */
export async function decidePayeeChange(
  db: Db,
  actor: User,
  changeId: number,
  decision: PayeeChangeDecision,
  reason: string | null,
): Promise<PayeeChangeView> {
  return db.transaction().execute(async (trx) => {
    const change = await trx.selectFrom('payee_change_requests').selectAll().where('id', '=', changeId).forUpdate().executeTakeFirst();
    if (!change) throw new RuleError('not_found', `Payee change ${changeId} does not exist.`);
    const refusal = payeeChangeDecisionRefusal(change.id, change.status, decision);
    if (refusal) throw new RuleError('conflict', refusal);
    if (decision === 'approve') {
      const hacker = await trx.selectFrom('hackers').select(['kind', 'residency']).where('id', '=', change.hacker_id).forUpdate().executeTakeFirstOrThrow();
      const input = change.changes as PayeeInput;
      const residency = input.residency ?? hacker.residency;
      const { treatyBp } = validatePayeeInput(input, hacker.kind, residency, { rateByFinance: true });
      // The payee files the treaty form; the rate stays finance's (kept as it is on the record).
      const keepRate = input.treaty ? { ...input, treaty: undefined } : input;
      const bankRemoved = change.fields.includes('bank') && change.bank_encrypted === null;
      await writePayee(
        trx, actor, change.hacker_id, hacker, { kind: hacker.kind, residency }, keepRate, input.treaty ? undefined : treatyBp,
        change.bank_encrypted ? { envelope: change.bank_encrypted, masked: change.bank_masked as MaskedBank } : bankRemoved ? { envelope: null, masked: null } : undefined,
      );
      if (input.treaty) {
        await trx
          .updateTable('payees')
          .set({ treaty_form_filed: input.treaty.form_filed, ...(input.treaty.form_filed ? {} : { treaty_limit_rate_bp: null }) })
          .where('hacker_id', '=', change.hacker_id)
          .execute();
      }
    }
    const status = decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'needs_info';
    await trx
      .updateTable('payee_change_requests')
      .set({ status, decided_by: actor.id, decided_at: sql`now()`, comment: reason, updated_at: sql`now()` })
      .where('id', '=', changeId)
      .execute();
    await writeAudit(trx, {
      hacker_id: change.hacker_id,
      actor: `user:${actor.id}`,
      action: `payee_change_${status}`,
      reason,
      details: { change_id: change.id, fields: change.fields, bank: change.fields.includes('bank') ? ((change.bank_masked as MaskedBank | null) ?? 'removed') : 'unchanged' },
    });
    return (await changeViews(trx, { id: changeId }))[0]!;
  });
}

/** Change requests, oldest first: one payee's (all), or finance's queue by status. */
export async function changeViews(
  db: Db,
  filter: { id?: number; hackerId?: number; status?: PayeeChangeStatus; afterId?: number; limit?: number },
): Promise<PayeeChangeView[]> {
  let q = db
    .selectFrom('payee_change_requests as c')
    .innerJoin('hackers as h', 'h.id', 'c.hacker_id')
    .select(['c.id', 'c.hacker_id', 'h.display_name', 'c.status', 'c.fields', 'c.changes', 'c.bank_masked', 'c.submitted_by', 'c.created_at', 'c.decided_by', 'c.decided_at', 'c.comment'])
    .orderBy('c.id')
    .limit(filter.limit ?? 100);
  if (filter.id !== undefined) q = q.where('c.id', '=', filter.id);
  if (filter.hackerId !== undefined) q = q.where('c.hacker_id', '=', filter.hackerId);
  if (filter.status !== undefined) q = q.where('c.status', '=', filter.status);
  if (filter.afterId !== undefined) q = q.where('c.id', '>', filter.afterId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    hacker_id: r.hacker_id,
    display_name: r.display_name,
    status: r.status,
    fields: r.fields,
    changes: { ...(r.changes as object), ...(r.fields.includes('bank') ? { bank: (r.bank_masked as MaskedBank | null) ?? null } : {}) },
    submitted_by: r.submitted_by,
    submitted_at: r.created_at.toISOString(),
    decided_by: r.decided_by,
    decided_at: r.decided_at ? r.decided_at.toISOString() : null,
    comment: r.comment,
  }));
}

/** The payee's change log, oldest first: who changed or decided what, when; bank details masked. */
export async function payeeChangeLog(db: Db, hackerId: number): Promise<PayeeChangeLogEntry[]> {
  const rows = await db
    .selectFrom('payout_audit_log')
    .select(['id', 'created_at', 'actor', 'action', 'reason', 'details'])
    .where('hacker_id', '=', hackerId)
    .where('action', 'like', 'payee\\_%')
    .orderBy('id')
    .limit(1000)
    .execute();
  return rows.map((r) => {
    const d = (r.details ?? {}) as { change_id?: number; fields?: string[]; bank?: PayeeChangeLogEntry['bank']; bank_masked?: MaskedBank };
    return {
      id: r.id,
      at: r.created_at.toISOString(),
      actor: r.actor,
      action: r.action,
      change_id: d.change_id ?? null,
      fields: d.fields ?? [],
      bank: d.bank_masked ?? d.bank ?? null,
      reason: r.reason,
    };
  });
}
