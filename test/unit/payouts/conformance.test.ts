// Runs every worked case in ../shared/conformance (relative to the project root) through the public
// contracts. The sample files use their own field names; they are mapped here, not in the contract.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { toZenginName, withholdingOp, zenginFileOp, zenginNamesOp } from '../../../src/domain/payouts/index.ts';

const dir = fileURLToPath(new URL('../../../../shared/conformance/', import.meta.url));
const withholdingPath = `${dir}withholding.sample.json`;
const zenginPath = `${dir}zengin.sample.json`;

// In CI a missing sample fails the run (shared/ is beside the project there); elsewhere it is skipped.
for (const p of [withholdingPath, zenginPath]) {
  if (existsSync(p)) continue;
  if (process.env.CI) throw new Error(`${p} not found: CI runs the conformance cases from ../shared/conformance/`);
  console.warn(`SKIP: ${p} not found — its conformance cases are skipped`);
}

type Json = Record<string, any>;
const load = (p: string): Json => (existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : { cases: [] });

function mapPayeeType(t: string): string {
  if (t === 'domestic_corporation') return 'corporation';
  return t;
}

function mapLine(inv: Json, inputs: Json): Json {
  const category = inputs.fee_category === undefined || inputs.fee_category.startsWith('design') ? 'design' : 'none';
  const line: Json = {
    fee: inv.fee_excl_consumption_tax ?? inv.amount,
    consumption_tax: inv.consumption_tax ?? 0,
    consumption_tax_separated: inv.consumption_tax_separated_on_invoice ?? false,
    category,
  };
  if (inv.reimbursed_expenses !== undefined) line.reimbursed_expenses = inv.reimbursed_expenses;
  const cls = inputs.income_classification;
  if (cls !== undefined) {
    line.income_source = cls === 'domestic_source' ? 'domestic' : cls === 'foreign_source' ? 'foreign_service' : cls;
  }
  return line;
}

function mapWithholdingCase(inputs: Json): Json {
  const date = inputs.payment_date ?? /\d{4}-\d{2}-\d{2}/.exec(String(inputs.paid_as))?.[0];
  const payee: Json = { type: mapPayeeType(inputs.payee_type) };
  if (inputs.treaty_form_filed !== undefined) {
    payee.treaty = { form_filed: inputs.treaty_form_filed, limit_rate_percent: inputs.treaty_limit_rate_percent ?? 0 };
  }
  const invoices: Json[] = inputs.invoices ?? [inputs];
  return { payment_date: date, payee, lines: invoices.map((inv) => mapLine(inv, inputs)) };
}

const wh = load(withholdingPath);
const zg = load(zenginPath);

describe.skipIf(!existsSync(withholdingPath))('conformance: withholding.sample.json', () => {
  it('has cases', () => expect(wh.cases.length).toBeGreaterThan(0));
  for (const c of wh.cases as Json[]) {
    it(`${c.id}: ${c.title}`, () => {
      expect(withholdingOp(mapWithholdingCase(c.inputs))).toEqual(c.expected);
    });
  }
});

describe.skipIf(!existsSync(zenginPath))('conformance: zengin.sample.json', () => {
  for (const nc of (zg.name_conversion_cases ?? []) as Json[]) {
    it(`name ${nc.input} → ${nc.normalized}`, () => {
      const r = toZenginName(nc.input);
      expect(r).toEqual({ ok: true, value: nc.normalized });
      expect(iconv.encode(nc.normalized, 'Shift_JIS').length).toBe(nc.sjis_bytes);
      expect(zenginNamesOp([nc.input])).toEqual([{ input: nc.input, zengin: nc.normalized }]);
    });
  }

  for (const c of zg.cases as Json[]) {
    const i = c.inputs;
    const body = (lineEnding: string) => ({
      payer: {
        requester_code: i.payer.requester_code,
        name: i.payer.name_input,
        bank_code: i.payer.bank,
        branch_code: i.payer.branch,
        account_type: i.payer.account_type,
        account_number: i.payer.account_number,
      },
      transfer_date: i.transfer_date,
      line_ending: lineEnding,
      transfers: (i.payees as Json[]).map((p) => ({
        bank_code: p.bank,
        branch_code: p.branch,
        account_type: p.account_type,
        account_number: p.account_number,
        name: p.name_input,
        amount: p.amount,
        customer_code1: p.customer_code1,
        customer_code2: p.customer_code2,
      })),
    });

    it(`${c.id}: names convert as expected`, () => {
      expect(toZenginName(i.payer.name_input, { maxBytes: 40 })).toEqual({ ok: true, value: i.payer.name_zengin });
      for (const p of i.payees as Json[]) expect(toZenginName(p.name_input)).toEqual({ ok: true, value: p.name_zengin });
    });

    it(`${c.id}: every record is byte-exact (no line ending)`, () => {
      const buf = zenginFileOp(body('none'));
      const records = c.expected.records as Json[];
      expect(buf.length).toBe(records.length * 120);
      records.forEach((r, k) => {
        const bytes = buf.subarray(k * 120, (k + 1) * 120);
        expect(bytes.toString('hex'), `${r.record_type} record ${k}`).toBe(r.sjis_hex);
        expect(iconv.decode(bytes, 'Shift_JIS')).toBe(r.text);
        for (const f of r.fields as Json[]) {
          const field = iconv.decode(bytes.subarray(f.start - 1, f.start - 1 + f.length), 'Shift_JIS');
          expect(field, `${r.record_type}.${f.field}`).toBe(f.value);
        }
      });
      expect(buf.length).toBe(c.expected.file_no_newlines.byte_length);
      expect(createHash('sha256').update(buf).digest('hex')).toBe(c.expected.file_no_newlines.sha256);
      const trailer = iconv.decode(buf.subarray(buf.length - 240, buf.length - 120), 'Shift_JIS');
      expect(Number(trailer.slice(1, 7))).toBe(c.expected.trailer_total_count);
      expect(Number(trailer.slice(7, 19))).toBe(c.expected.trailer_total_amount);
    });

    it(`${c.id}: CRLF after each record`, () => {
      const buf = zenginFileOp(body('crlf'));
      expect(buf.length).toBe(c.expected.file_crlf_after_each_record.byte_length);
      expect(createHash('sha256').update(buf).digest('hex')).toBe(c.expected.file_crlf_after_each_record.sha256);
      (c.expected.records as Json[]).forEach((r, k) => {
        expect(buf.subarray(k * 122, k * 122 + 120).toString('hex')).toBe(r.sjis_hex);
        expect(buf.subarray(k * 122 + 120, k * 122 + 122).toString('hex')).toBe('0d0a');
      });
    });
  }
});
