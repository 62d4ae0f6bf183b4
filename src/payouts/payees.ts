// The payee master (part of the hacker record): tax status, invoice registration, withholding category
// and the bank account. The account is validated (Zengin name rules, bank/branch in zengin-code),
// stored encrypted, and only ever shown masked. Decryption happens in activities and file downloads.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { User } from '../db/schema.ts';
import type { HackerKind, Residency } from '../shared/payouts.ts';
import { ValidationError, type ErrorDetail } from '../domain/errors.ts';
import { lookupBank, lookupBranch } from '../domain/payouts/banks.ts';
import { isValidInvoiceRegistrationNumber } from '../domain/payouts/corporate-number.ts';
import { bpToPercent, percentToBp, type PayeeType } from '../domain/payouts/withholding.ts';
import { payeeType } from '../domain/payouts/payment.ts';
import { calendarDateProblem } from '../domain/payouts/validate.ts';
import { toZenginField } from '../domain/payouts/zengin-name.ts';
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
}

const bankAad = (hackerId: number) => `payee:${hackerId}:bank`;


export function maskAccountNumber(n: string): string {
  return `****${n.slice(-3)}`;
}

function maskName(name: string): string {
  return name.length <= 2 ? '**' : `${name.slice(0, 2)}${'*'.repeat(Math.min(8, name.length - 2))}`;
}

/** Semantic checks the JSON schema cannot make; every problem names its field (paths under the body). */
export function validatePayeeInput(input: PayeeInput, kind: HackerKind, residency: Residency): {
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
    if (input.treaty.form_filed && pct === undefined) {
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
  return {
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
      ? {
          bank_encrypted: bank === null ? null : encryptJson(key, bankAad(hackerId), bank),
          bank_masked: masked === null || masked === undefined ? null : JSON.stringify(masked),
        }
      : {}),
    updated_by: actor.id,
  };
  await db.transaction().execute(async (trx) => {
    if (kind !== hacker.kind || residency !== hacker.residency) {
      await trx.updateTable('hackers').set({ kind, residency } as never).where('id', '=', hackerId).execute();
    }
    await trx
      .insertInto('payees')
      .values({ hacker_id: hackerId, ...values })
      .onConflict((oc) => oc.column('hacker_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
      .execute();
    const changed = Object.keys(input).filter((k) => k !== 'bank');
    await writeAudit(trx, {
      hacker_id: hackerId,
      actor: `user:${actor.id}`,
      action: 'payee_updated',
      details: {
        fields: changed,
        bank: bank === undefined ? 'unchanged' : bank === null ? 'removed' : 'replaced',
        ...(kind !== hacker.kind || residency !== hacker.residency ? { kind, residency } : {}),
      },
    });
  });
  return getPayee(db, hackerId);
}

/** Decrypts a payee's bank account (activities and file downloads only; never log the result). */
export function openBankAccount(key: Buffer, hackerId: number, envelope: string): BankAccount {
  return decryptJson<BankAccount>(key, bankAad(hackerId), envelope);
}

