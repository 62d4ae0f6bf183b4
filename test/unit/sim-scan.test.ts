// The chaos harness's own tools: the secrets search and the bank-file reader.
import { describe, expect, it } from 'vitest';
import { buildZenginFile } from '../../src/domain/payouts/zengin-file.ts';
import { DEFAULT_PAYER } from '../../src/domain/payouts/payer.ts';
import { zenginDataRecords } from '../../src/sim/invariants.ts';
import { findSecrets } from '../../src/sim/secrets.ts';

const secrets = { tokens: ['kzd_abcdefghijklmnop'], accountNumbers: ['1234567'], holderNames: ['KZQWERTY ASDFG'] };

describe('findSecrets', () => {
  it('finds each kind of secret with some context', () => {
    const leaks = findSecrets('log', 'auth Bearer kzd_abcdefghijklmnop acct=1234567 name=kzqwerty asdfg', secrets);
    expect(leaks.map((l) => l.kind)).toEqual(['token', 'account number', 'holder name']);
    expect(leaks[1]!.context).toContain('acct=1234567');
  });
  it('ignores an account number inside a longer digit run (timestamps, ids)', () => {
    expect(findSecrets('log', '{"time":1764612345678,"id":912345670}', secrets)).toEqual([]);
  });
});

describe('zenginDataRecords', () => {
  it('reads payee, account number and amount of each data record', () => {
    const file = buildZenginFile({
      payer: DEFAULT_PAYER,
      transfer_date: '2026-12-25',
      line_ending: 'crlf',
      transfers: [
        { bank_code: '0001', branch_code: '001', account_type: '1', account_number: '7654321', name: 'ﾔﾏﾀﾞ ﾀﾛｳ', amount: 123_456, customer_code1: '42', customer_code2: '7' },
        { bank_code: '0005', branch_code: '002', account_type: '1', account_number: '1111111', name: 'ｽｽﾞｷ ﾊﾅｺ', amount: 9, customer_code1: '43', customer_code2: '7' },
      ],
    });
    expect(zenginDataRecords(Buffer.from(file as Uint8Array))).toEqual([
      { hackerId: 42, accountNumber: '7654321', amount: 123_456 },
      { hackerId: 43, accountNumber: '1111111', amount: 9 },
    ]);
  });
});
