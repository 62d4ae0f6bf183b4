// 個人番号 (My Number): 12 digits, the last a check digit (行政手続における特定の個人を識別するための
// 番号の利用等に関する法律施行令 8条): with Pₙ the n-th of the first 11 digits counted from the right and
// Qₙ = n + 1 (n ≤ 6) or n − 5 (n ≥ 7), r = Σ Pₙ·Qₙ mod 11; the check digit is 0 when r ≤ 1, else 11 − r.

export function myNumberCheckDigit(first11: string): number {
  if (!/^\d{11}$/.test(first11)) throw new RangeError('expected 11 digits');
  let sum = 0;
  for (let n = 1; n <= 11; n++) sum += Number(first11[11 - n]) * (n <= 6 ? n + 1 : n - 5);
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

export function isValidMyNumber(value: string): boolean {
  return /^\d{12}$/.test(value) && myNumberCheckDigit(value.slice(0, 11)) === Number(value[11]);
}

/**
 * The last day a 個人番号 may be kept: 7 years after the filing year of the last 支払調書 that carried it
 * (statements of year Y are filed in Y+1), or, never filed yet, as if the year it was submitted were
 * filed (the statement that year's payments would need).
 */
export function myNumberRetainUntil(lastStatementYear: number): string {
  return `${lastStatementYear + 1 + 7}-12-31`;
}
