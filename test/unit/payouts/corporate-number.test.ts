import { describe, expect, it } from 'vitest';
import {
  corporateNumberCheckDigit,
  isValidCorporateNumber,
  isValidInvoiceRegistrationNumber,
} from '../../../src/domain/payouts/index.ts';

describe('corporate number check digit', () => {
  it.each(['1180301018771', '5010001008846'])('spec example %s passes', (n) => {
    expect(isValidCorporateNumber(n)).toBe(true);
    expect(corporateNumberCheckDigit(n.slice(1))).toBe(Number(n[0]));
  });

  it('changing any single digit of a valid number makes it fail', () => {
    for (const valid of ['1180301018771', '5010001008846']) {
      for (let pos = 0; pos < 13; pos++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === valid[pos]) continue;
          const changed = valid.slice(0, pos) + d + valid.slice(pos + 1);
          // A single changed digit at an odd weight changes the sum by 1..9×1, at an even weight by 2..18;
          // only changes that are a multiple of 9 go undetected (0 ↔ 9 at weight 1, or a ±9 at weight 2).
          const weight = pos === 0 ? 0 : (13 - pos) % 2 === 1 ? 1 : 2;
          const delta = (d - Number(valid[pos])) * weight;
          const undetectable = pos !== 0 && delta % 9 === 0;
          expect(isValidCorporateNumber(changed), changed).toBe(undetectable);
        }
      }
    }
    expect(isValidCorporateNumber('1180301018772')).toBe(false);
    expect(isValidCorporateNumber('2180301018771')).toBe(false);
    expect(isValidCorporateNumber('5010001008847')).toBe(false);
  });

  it.each([['118030101877'], ['11803010187710'], ['118030101877a'], ['１１８０３０１０１８７７１'], [''], [1180301018771], [null]])(
    'rejects malformed %j',
    (v) => expect(isValidCorporateNumber(v)).toBe(false),
  );
});

describe('invoice registration number', () => {
  it('accepts T + a valid 13-digit number', () => {
    expect(isValidInvoiceRegistrationNumber('T1180301018771')).toBe(true);
    expect(isValidInvoiceRegistrationNumber('T5010001008846')).toBe(true);
  });

  it.each(['1180301018771', 't1180301018771', 'T1180301018772', 'T118030101877', 'T11803010187711', 'T-1180301018771', 'T 1180301018771', 'X1180301018771'])(
    'rejects %s',
    (v) => expect(isValidInvoiceRegistrationNumber(v)).toBe(false),
  );
});
