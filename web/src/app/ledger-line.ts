// An earnings line in the reader's language. The ledger keeps one English description per line; its
// kind says what the line is, and for a proposal's fees the description ends with the proposal's
// title ("Adoption fee: <title>", domain/cycles/earnings.ts), which the page keeps as written.
import type { TFunction } from 'i18next';

const TITLED = new Set(['submission_fee', 'adoption_fee', 'win_bonus']);

export function lineText(t: TFunction, line: { kind: string; description: string; month: string }): string {
  const i = line.description.indexOf(': ');
  if (TITLED.has(line.kind) && i > 0) return t(`ledgerKind.${line.kind}`, { subject: line.description.slice(i + 2) });
  return t(`ledgerKind.${line.kind}`, { subject: line.month });
}
