// 法人番号 check digit and インボイス registration numbers ("T" + 13 digits).

/** Check digit of the 12 base digits: 9 − (Σ Pₙ·Qₙ mod 9), Pₙ the n-th digit from the right, Qₙ = 1 (odd n) or 2 (even n). */
export function corporateNumberCheckDigit(base12: string): number {
  if (!/^\d{12}$/.test(base12)) throw new RangeError('corporate number base must be 12 digits');
  let sum = 0;
  for (let n = 1; n <= 12; n++) {
    const p = base12.charCodeAt(12 - n) - 48;
    sum += p * (n % 2 === 1 ? 1 : 2);
  }
  return 9 - (sum % 9);
}

/** 13 ASCII digits whose first digit is the check digit of the other 12. */
export function isValidCorporateNumber(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{13}$/.test(value)) return false;
  return value.charCodeAt(0) - 48 === corporateNumberCheckDigit(value.slice(1));
}

/**
 * 適格請求書発行事業者登録番号: "T" followed by 13 digits carrying the same check digit (for a
 * corporation the 13 digits are its corporate number).
 */
export function isValidInvoiceRegistrationNumber(value: unknown): boolean {
  if (typeof value !== 'string' || value.length !== 14 || value[0] !== 'T') return false;
  return isValidCorporateNumber(value.slice(1));
}
