// Secrets hygiene: after a simulated month, search the process logs, every workflow history (payloads
// decoded with the codec) and every text/json column of the database for the API tokens, bank account
// numbers and holder names the simulation used. They may appear only in the encrypted columns (which
// hold ciphertext anyway) and in the bank file.
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { AesGcmPayloadCodec, parsePayloadKeys } from '../infra/payload-codec.ts';
import type { SimSecrets } from './actors.ts';

/** Columns whose content is ciphertext by design (checked to be ciphertext, not searched). */
export const ENCRYPTED_COLUMNS = ['payees.bank_encrypted', 'payout_zengin_lines.transfer_encrypted'];

export interface Leak {
  where: string;
  kind: 'token' | 'account number' | 'holder name';
  context: string;
}

function escape(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Finds each secret in `text`; account numbers only as whole digit runs (not inside a timestamp). */
export function findSecrets(where: string, text: string, secrets: SimSecrets): Leak[] {
  const leaks: Leak[] = [];
  const look = (kind: Leak['kind'], values: string[], pattern: (v: string) => RegExp) => {
    for (const v of values) {
      const m = pattern(v).exec(text);
      if (m) leaks.push({ where, kind, context: text.slice(Math.max(0, m.index - 60), m.index + v.length + 60).replace(/\s+/g, ' ') });
    }
  };
  look('token', secrets.tokens, (v) => new RegExp(escape(v)));
  look('account number', secrets.accountNumbers, (v) => new RegExp(`(?<![0-9])${escape(v)}(?![0-9])`));
  look('holder name', secrets.holderNames, (v) => new RegExp(escape(v), 'i'));
  return leaks;
}

function isPayload(v: unknown): v is Payload {
  return !!v && typeof v === 'object' && 'metadata' in v && 'data' in v && (v as Payload).data instanceof Uint8Array;
}

/** A history as text, every payload replaced by its decoded content. */
async function historyText(history: unknown, codec: AesGcmPayloadCodec): Promise<{ text: string; payloads: number }> {
  let payloads = 0;
  const walk = async (v: unknown): Promise<unknown> => {
    if (isPayload(v)) {
      payloads++;
      const [p] = await codec.decode([v]);
      return { decoded: Buffer.from(p!.data ?? []).toString('utf8'), metadata: Object.fromEntries(Object.entries(p!.metadata ?? {}).map(([k, m]) => [k, Buffer.from(m as Uint8Array).toString('utf8')])) };
    }
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    if (Array.isArray(v)) return Promise.all(v.map(walk));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'function' ? undefined : await walk(x);
      return out;
    }
    return v;
  };
  const text = JSON.stringify(await walk(history), (_k, v) => (typeof v === 'bigint' ? String(v) : v && typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function' ? String(v) : v));
  return { text, payloads };
}

export interface SecretsReport {
  leaks: Leak[];
  scanned: { logFiles: number; logBytes: number; workflows: number; payloads: number; columns: number; cells: number };
  /** Positive control: secrets found where they are allowed (the bank file). */
  inBankFile: number;
  /** Encrypted columns holding something that is not an encryption envelope. */
  plaintextInEncryptedColumns: number;
}

export async function scanForSecrets(opts: {
  secrets: SimSecrets;
  logs: { file: string; text: string }[];
  temporal: Client;
  payloadKeys: string;
  db: Db;
  bankFiles: Buffer[];
}): Promise<SecretsReport> {
  const { secrets } = opts;
  const leaks: Leak[] = [];
  const scanned = { logFiles: 0, logBytes: 0, workflows: 0, payloads: 0, columns: 0, cells: 0 };

  for (const l of opts.logs) {
    scanned.logFiles++;
    scanned.logBytes += l.text.length;
    leaks.push(...findSecrets(`log ${l.file}`, l.text, secrets));
  }

  const codec = new AesGcmPayloadCodec(parsePayloadKeys(opts.payloadKeys));
  for await (const wf of opts.temporal.workflow.list()) {
    scanned.workflows++;
    const history = await opts.temporal.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const { text, payloads } = await historyText(history, codec);
    scanned.payloads += payloads;
    leaks.push(...findSecrets(`history ${wf.workflowId}/${wf.runId}`, text, secrets));
  }

  const { rows: columns } = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public' and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED'))
    order by c.table_name, c.ordinal_position`.execute(opts.db);
  let plaintextInEncryptedColumns = 0;
  for (const c of columns) {
    const name = `${c.table_name}.${c.column_name}`;
    const { rows } = await sql<{ v: string }>`select ${sql.ref(name)}::text as v from ${sql.table(c.table_name)} where ${sql.ref(name)} is not null`.execute(opts.db);
    if (ENCRYPTED_COLUMNS.includes(name)) {
      // Not searched: ciphertext. But it must be ciphertext.
      for (const r of rows) if (findSecrets(name, r.v, secrets).length > 0) plaintextInEncryptedColumns++;
      continue;
    }
    scanned.columns++;
    scanned.cells += rows.length;
    for (const r of rows) leaks.push(...findSecrets(`column ${name}`, r.v, secrets));
  }

  let inBankFile = 0;
  for (const f of opts.bankFiles) {
    const text = f.toString('latin1');
    inBankFile += secrets.accountNumbers.filter((a) => text.includes(a)).length;
  }
  return { leaks, scanned, inBankFile, plaintextInEncryptedColumns };
}
