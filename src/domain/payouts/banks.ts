// Bank and branch names from the pinned `zengin-code` package, converted to Zengin half-width kana,
// and the ゆうちょ銀行 記号/番号 → 店番/口座番号 conversion for transfers from other banks.
import zenginCode from 'zengin-code';
import { ValidationError } from '../errors.ts';
import { toZenginName } from './zengin-name.ts';

export interface BankInfo {
  code: string;
  /** Name as published (kanji/kana). */
  name: string;
  /** Full-width katakana as published by zengin-code. */
  kana: string;
  /** Half-width Zengin form, not yet capped to the 15-byte field. */
  zengin_name: string;
}

export type BranchInfo = BankInfo;

function zenginOf(kana: string): string {
  const r = toZenginName(kana, { maxBytes: Number.MAX_SAFE_INTEGER, legalForms: false });
  return r.ok ? r.value : '';
}

export function lookupBank(code: string): BankInfo | undefined {
  if (typeof code !== 'string' || !/^\d{4}$/.test(code)) return undefined;
  const bank = Object.hasOwn(zenginCode, code) ? zenginCode[code] : undefined;
  if (!bank) return undefined;
  return { code: bank.code, name: bank.name, kana: bank.kana, zengin_name: zenginOf(bank.kana) };
}

export function lookupBranch(bankCode: string, branchCode: string): BranchInfo | undefined {
  if (typeof bankCode !== 'string' || typeof branchCode !== 'string' || !/^\d{3}$/.test(branchCode)) return undefined;
  if (!/^\d{4}$/.test(bankCode) || !Object.hasOwn(zenginCode, bankCode)) return undefined;
  const branches = zenginCode[bankCode]!.branches;
  const br = Object.hasOwn(branches, branchCode) ? branches[branchCode] : undefined;
  if (!br) return undefined;
  return { code: br.code, name: br.name, kana: br.kana, zengin_name: zenginOf(br.kana) };
}

export const YUCHO_BANK_CODE = '9900';

export interface ZenginAccount {
  bank_code: string;
  branch_code: string;
  account_type: '1';
  account_number: string;
}

/**
 * ゆうちょ銀行 通常貯金 (記号 5 digits starting with 1, 番号 up to 8 digits) as a Zengin 普通 account:
 * branch = digits 2-3 of the 記号 + "8"; account = the first 7 of the 8-digit (zero-padded) 番号.
 */
export function yuchoToZengin(kigou: string, bangou: string): ZenginAccount {
  const details = [];
  const k = typeof kigou === 'string' ? kigou.normalize('NFKC').replace(/[-\s]/g, '') : '';
  const b = typeof bangou === 'string' ? bangou.normalize('NFKC').replace(/[-\s]/g, '') : '';
  if (!/^1\d{4}$/.test(k)) {
    details.push({ path: '/kigou', message: 'must be the 5-digit 記号 of a 通常貯金 account (starting with 1)' });
  }
  if (!/^\d{1,8}$/.test(b)) details.push({ path: '/bangou', message: 'must be the 番号: 1 to 8 digits' });
  if (details.length) throw new ValidationError('invalid ゆうちょ 記号/番号', details);
  return {
    bank_code: YUCHO_BANK_CODE,
    branch_code: `${k.slice(1, 3)}8`,
    account_type: '1',
    account_number: b.padStart(8, '0').slice(0, 7),
  };
}
