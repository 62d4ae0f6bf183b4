import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { zenginFileOp } from '../../src/domain/payouts/index.ts';

function cli(args: string[], input: string) {
  return spawnSync(process.execPath, ['bin/kaizen.js', ...args], { input, env: { ...process.env, LOG_LEVEL: 'silent' } });
}

describe('kaizen payouts (CLI)', () => {
  it('withholding: one payment from several lines', () => {
    const r = cli(
      ['payouts', 'withholding'],
      JSON.stringify({
        payment_date: '2026-07-24',
        payee: { type: 'resident_individual' },
        lines: [
          { fee: 600000, consumption_tax: 60000, consumption_tax_separated: true, category: 'design' },
          { fee: 500000, consumption_tax: 50000, consumption_tax_separated: true, category: 'design' },
        ],
      }),
    );
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toEqual({
      withholding_base: 1100000,
      withholding: 122520,
      gross_payable: 1210000,
      net_transfer: 1087480,
    });
  });

  it('zengin-name converts or explains per item', () => {
    const r = cli(['payouts', 'zengin-name'], JSON.stringify(['株式会社ミライカイゼン', '山田太郎']));
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.toString());
    expect(out[0]).toEqual({ input: '株式会社ミライカイゼン', zengin: 'ｶ)ﾐﾗｲｶｲｾﾞﾝ' });
    expect(out[1].error).toMatch(/./);
  });

  it('zengin writes the file bytes; bad input exits 2 naming the field', () => {
    const body = {
      payer: { requester_code: '1234567890', name: 'カイゼン', bank_code: '0001', branch_code: '001', account_type: '1', account_number: '1234567' },
      transfer_date: '2026-07-24',
      line_ending: 'crlf',
      transfers: [{ bank_code: '0005', branch_code: '001', account_type: '1', account_number: '7654321', name: 'ヤマダ タロウ', amount: 99790 }],
    };
    const r = cli(['payouts', 'zengin'], JSON.stringify(body));
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(Buffer.compare(r.stdout, zenginFileOp(body))).toBe(0);
    expect(r.stdout.length).toBe(4 * 122);

    const bad = cli(['payouts', 'zengin'], JSON.stringify({ ...body, transfers: [{ ...body.transfers[0], name: '山田' }] }));
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stderr.toString()).error.details[0].path).toMatch(/^\/transfers\/0\/name/);
  });
});
