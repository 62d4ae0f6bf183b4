// Finance's review of an invoice: which change its state allows, as the sentence the refusal carries
// (undefined: allowed). The use cases (src/billing/invoicing.ts, receipts.ts) throw these; the views'
// `actions` show them, so a button the page offers is a request the server accepts.

interface InvoiceState {
  id: number;
  kind: string;
  status: string;
  number: string | null;
  hold_reason?: string | null;
}

/** Lines may be edited, and the draft held or released, until it is issued. */
export function editRefusal(inv: InvoiceState): string | undefined {
  if (inv.status === 'issued') return `invoice ${inv.number} is issued and cannot change; issue a credit note`;
  return undefined;
}

/** An adjustment line goes on an invoice being reviewed; a credit note is issued as created. */
export function addLineRefusal(inv: InvoiceState): string | undefined {
  return editRefusal(inv) ?? (inv.kind !== 'invoice' ? 'credit notes are issued as created' : undefined);
}

export function holdRefusal(inv: InvoiceState): string | undefined {
  return editRefusal(inv) ?? (inv.status === 'held' ? `invoice ${inv.id} is already held` : undefined);
}

export function releaseRefusal(inv: InvoiceState): string | undefined {
  return editRefusal(inv) ?? (inv.status !== 'held' ? `invoice ${inv.id} is not held` : undefined);
}

export function issueRefusal(inv: InvoiceState, lineCount: number): string | undefined {
  if (inv.status === 'issued') return `invoice ${inv.id} is already issued as ${inv.number}`;
  if (inv.status === 'held') return `invoice ${inv.id} is held (${inv.hold_reason ?? 'no reason'}); release it first`;
  if (lineCount === 0) return `invoice ${inv.id} has no lines`;
  return undefined;
}

export function creditRefusal(inv: InvoiceState): string | undefined {
  return inv.kind !== 'invoice' || inv.status !== 'issued' ? 'only an issued invoice can be credited' : undefined;
}

/** A waiting receipt is matched once. */
export function matchRefusal(r: { id: number; status: string; invoice_id: number | null }): string | undefined {
  return r.status === 'matched' ? `receipt ${r.id} is already matched to invoice ${r.invoice_id}` : undefined;
}
