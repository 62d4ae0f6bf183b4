// The invariants a chaos run must end with, checked through the API and SQL. Each check is a line
// of the report; any violation makes the run fail.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { ApiClient, Json, World } from './actors.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The data records (type 2) of a 全銀 総合振込 file: payee (customer code 1), account number and amount. */
export function zenginDataRecords(file: Buffer): { hackerId: number; accountNumber: string; amount: number }[] {
  const records: { hackerId: number; accountNumber: string; amount: number }[] = [];
  for (let off = 0; off + 120 <= file.length; ) {
    const rec = file.subarray(off, off + 120);
    if (rec[0] === 0x32) {
      records.push({
        accountNumber: rec.subarray(43, 50).toString('latin1'),
        amount: Number(rec.subarray(80, 90).toString('latin1')),
        hackerId: Number(rec.subarray(91, 101).toString('latin1').trim()),
      });
    }
    off += 120;
    while (off < file.length && (file[off] === 0x0d || file[off] === 0x0a)) off++;
  }
  return records;
}

/** Ledger lines unique per key and per (kind, proposal): SQL only, so a restore drill checks it too. */
export async function checkLedgerUnique(db: Db): Promise<Check> {
  const dupKeys = await sql<{ unique_key: string; n: number }>`select unique_key, count(*)::int as n from earnings_ledger group by unique_key having count(*) > 1`.execute(db);
  const dupFacts = await sql<{ n: number }>`select count(*)::int as n from (select kind, proposal_id from earnings_ledger where proposal_id is not null group by kind, proposal_id having count(*) > 1) d`.execute(db);
  return { name: 'ledger lines unique per key', ok: dupKeys.rows.length === 0 && dupFacts.rows[0]!.n === 0, detail: `${dupKeys.rows.length} duplicate keys, ${dupFacts.rows[0]!.n} duplicate (kind, proposal) facts` };
}

export async function checkInvariants(db: Db, api: ApiClient, world: World, runIds: number[]): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  // 1. Every cycle completed (as the API tells CS).
  const phases: string[] = [];
  for (const e of world.engagements) phases.push((await api.ok('GET', `/v1/cycles/${e.cycleId}`, world.cs.token)).phase);
  add('every cycle completed', phases.length > 0 && phases.every((p) => p === 'completed'), `${phases.filter((p) => p === 'completed').length}/${phases.length} completed${phases.some((p) => p !== 'completed') ? ` (${phases.join(', ')})` : ''}`);

  // 2. Ledger lines unique per key, and complete: one adoption fee per selected proposal, one win
  // bonus per winning proposal, one reversal per invalidated winner; nothing else.
  checks.push(await checkLedgerUnique(db));
  const s = world.settings;
  const expected = new Map<string, number>();
  const selected = await db.selectFrom('proposals').select(['id', 'hacker_id']).where('status', '=', 'selected').execute();
  for (const p of selected) expected.set(`adoption_fee:${p.id}:${p.hacker_id}`, s.adoption_fee_yen);
  const winners = await sql<{ proposal_id: number; hacker_id: number; invalidated: boolean }>`
    select va.proposal_id, p.hacker_id, (v.invalidated_at is not null) as invalidated
    from verdicts v join variants va on va.id = v.winner_variant_id join proposals p on p.id = va.proposal_id
    where v.kind = 'final' and v.outcome = 'winner'`.execute(db);
  for (const w of winners.rows) {
    expected.set(`win_bonus:${w.proposal_id}:${w.hacker_id}`, s.win_bonus_yen);
    if (w.invalidated) expected.set(`bonus_reversal:${w.proposal_id}:${w.hacker_id}`, -s.win_bonus_yen);
  }
  const lines = await db.selectFrom('earnings_ledger').select(['id', 'kind', 'proposal_id', 'hacker_id', 'amount_yen']).execute();
  const actual = new Map(lines.map((l) => [`${l.kind}:${l.proposal_id}:${l.hacker_id}`, l.amount_yen]));
  const missing = [...expected].filter(([k, v]) => actual.get(k) !== v).map(([k]) => k);
  const extra = [...actual.keys()].filter((k) => !expected.has(k));
  add(
    'ledger complete (proposals, selections, winners)',
    missing.length === 0 && extra.length === 0 && expected.size > 0,
    `${lines.length} lines: ${selected.length} adoption fees, ${winners.rows.length} win bonuses, ${winners.rows.filter((w) => w.invalidated).length} reversals expected; missing ${missing.length ? missing.join(' ') : 0}, unexpected ${extra.length ? extra.join(' ') : 0}`,
  );

  // 3. No payee paid twice: per run, per ledger line, and bank file line ↔ sent item.
  const perRun = await sql<{ n: number }>`select count(*)::int as n from (select run_id, hacker_id from payout_items where status in ('handed_to_bank', 'confirmed') group by run_id, hacker_id having count(*) > 1) d`.execute(db);
  const perLine = await sql<{ n: number }>`
    select count(*)::int as n from (
      select l.ledger_id from payout_item_lines l join payout_items i on i.id = l.item_id
      where i.status in ('handed_to_bank', 'confirmed') and not l.released group by l.ledger_id having count(*) > 1) d`.execute(db);
  const linkedTwice = await sql<{ n: number }>`select count(*)::int as n from (select ledger_id from payout_item_lines where not released group by ledger_id having count(*) > 1) d`.execute(db);
  const payments = await sql<{ n: number }>`select count(*)::int as n from (select run_id, hacker_id from payout_payments where status = 'handed_to_bank' group by run_id, hacker_id having count(*) > 1) d`.execute(db);
  let fileProblems: string[] = [];
  let fileLines = 0;
  const sentItems = await db.selectFrom('payout_items').select(['id', 'run_id', 'hacker_id', 'net_transfer']).where('status', 'in', ['handed_to_bank', 'confirmed']).execute();
  for (const runId of runIds) {
    const sent = sentItems.filter((i) => i.run_id === runId);
    const a = await api.call('GET', `/v1/payout-runs/${runId}/zengin`, world.financeA.token);
    const records = a.status === 200 ? zenginDataRecords(a.raw) : [];
    fileLines += records.length;
    if (sent.length !== records.length) fileProblems.push(`run ${runId}: ${sent.length} sent items, ${records.length} file lines`);
    const byHacker = new Map<number, number>();
    for (const r of records) byHacker.set(r.hackerId, (byHacker.get(r.hackerId) ?? 0) + 1);
    for (const [h, n] of byHacker) if (n > 1) fileProblems.push(`run ${runId}: payee ${h} has ${n} file lines`);
    for (const i of sent) {
      const r = records.find((x) => x.hackerId === i.hacker_id);
      const account = world.hackers.find((h) => h.hackerId === i.hacker_id)?.bank.account_number;
      if (!r) fileProblems.push(`run ${runId}: sent item ${i.id} has no file line`);
      else if (r.amount !== i.net_transfer || (account && r.accountNumber !== account)) fileProblems.push(`run ${runId}: item ${i.id} file line ${r.amount} to ${r.accountNumber}, item ${i.net_transfer}`);
    }
  }
  fileProblems = fileProblems.slice(0, 10);
  add(
    'no payee paid twice',
    perRun.rows[0]!.n === 0 && perLine.rows[0]!.n === 0 && linkedTwice.rows[0]!.n === 0 && payments.rows[0]!.n === 0 && fileProblems.length === 0,
    `${sentItems.length} sent items in ${runIds.length} runs, ${fileLines} bank-file lines; twice per run ${perRun.rows[0]!.n}, per ledger line ${perLine.rows[0]!.n} (linked twice ${linkedTwice.rows[0]!.n}), payments ${payments.rows[0]!.n}${fileProblems.length ? `; ${fileProblems.join('; ')}` : ''}`,
  );

  // 4. gross = net + withholding on every item.
  const items = await db.selectFrom('payout_items').selectAll().execute();
  const bad = items.filter((i) => i.gross_payable !== i.net_transfer + i.withholding);
  add('gross = net + withholding per item', bad.length === 0 && items.length > 0, `${items.length} items, ${bad.length} off${bad.length ? ` (${bad.map((b) => b.id).join(', ')})` : ''}`);

  // 5. Σ accrued = Σ paid + Σ withheld + Σ held + Σ carried deductions (+ anything not yet drafted).
  const accrued = lines.reduce((a, l) => a + l.amount_yen, 0);
  const sentAll = items.filter((i) => i.status === 'handed_to_bank' || i.status === 'confirmed');
  const paid = sentAll.reduce((a, i) => a + i.net_transfer, 0);
  const withheld = sentAll.reduce((a, i) => a + i.withholding, 0);
  const ctax = sentAll.reduce((a, i) => a + i.consumption_tax_yen, 0);
  // Each sent item's lines add up to what it paid before tax (fee = gross − consumption tax).
  const sentLines = await sql<{ item_id: number; total: number }>`
    select l.item_id, sum(el.amount_yen)::bigint as total from payout_item_lines l join earnings_ledger el on el.id = l.ledger_id
    join payout_items i on i.id = l.item_id where i.status in ('handed_to_bank', 'confirmed') and not l.released group by l.item_id`.execute(db);
  const itemMismatch = sentAll.filter((i) => Number(sentLines.rows.find((r) => r.item_id === i.id)?.total ?? 0) !== i.gross_payable - i.consumption_tax_yen);
  // Lines not paid: in a held item (released when its run paid), carried forward, or not drafted yet.
  const unpaid = await sql<{ id: number; hacker_id: number; amount_yen: number }>`
    select el.id, el.hacker_id, el.amount_yen from earnings_ledger el
    where not exists (select 1 from payout_item_lines l join payout_items i on i.id = l.item_id where l.ledger_id = el.id and not l.released and i.status in ('handed_to_bank', 'confirmed'))`.execute(db);
  const lastRun = runIds[runIds.length - 1];
  const carriedRows = lastRun ? await db.selectFrom('payout_carry_forwards').selectAll().where('run_id', '=', lastRun).execute() : [];
  const carriedHackers = new Set(carriedRows.map((c) => c.hacker_id));
  const heldRows = lastRun
    ? await sql<{ ledger_id: number }>`select l.ledger_id from payout_item_lines l join payout_items i on i.id = l.item_id where i.run_id = ${lastRun} and i.status in ('held', 'failed')`.execute(db)
    : { rows: [] };
  const heldIds = new Set(heldRows.rows.map((r) => r.ledger_id));
  let held = 0;
  let carried = 0;
  let other = 0;
  for (const u of unpaid.rows) {
    if (heldIds.has(u.id)) held += u.amount_yen;
    else if (carriedHackers.has(u.hacker_id)) carried += u.amount_yen;
    else other += u.amount_yen;
  }
  const carriedRecorded = carriedRows.reduce((a, c) => a + c.balance_yen, 0);
  const balanced = accrued === paid + withheld - ctax + held + carried + other;
  add(
    'Σ accrued = Σ paid + Σ withheld + Σ held + Σ carried',
    balanced && itemMismatch.length === 0 && carried === carriedRecorded && other === 0,
    `accrued ¥${accrued.toLocaleString('en')} = paid ¥${paid.toLocaleString('en')} + withheld ¥${withheld.toLocaleString('en')}${ctax ? ` − consumption tax ¥${ctax}` : ''} + held ¥${held.toLocaleString('en')} + carried ¥${carried.toLocaleString('en')} (recorded ¥${carriedRecorded.toLocaleString('en')})${other ? ` + undrafted ¥${other.toLocaleString('en')}` : ''}; ${itemMismatch.length} items whose lines differ from their fee`,
  );

  // 6. No proposal lost: every 201 is a row, every key has one proposal, replays return the first id.
  const ids = new Set<number>();
  let created = 0;
  let replays = 0;
  const problems: string[] = [];
  for (const p of world.proposals) {
    const pids = new Set(p.answers.map((a) => a.id));
    if (pids.size > 1) problems.push(`key ${p.key} answered ${[...pids].join('/')}`);
    for (const a of p.answers) {
      ids.add(a.id);
      if (a.status === 201) created++;
      if (a.replay) {
        replays++;
        if (a.status !== 200) problems.push(`replay of ${p.key} → ${a.status}`);
      }
    }
  }
  const rows = await db.selectFrom('proposals').select(['id', 'idempotency_key']).execute();
  const rowIds = new Set(rows.map((r) => r.id));
  const lost = [...ids].filter((id) => !rowIds.has(id));
  const keyed = new Map<string, number>();
  for (const r of rows) if (r.idempotency_key) keyed.set(r.idempotency_key, (keyed.get(r.idempotency_key) ?? 0) + 1);
  const twice = [...keyed].filter(([, n]) => n > 1).length;
  add(
    'no proposal lost',
    lost.length === 0 && problems.length === 0 && twice === 0 && rows.length === ids.size && created > 0,
    `${created} × 201, ${replays} replays (200, same id), ${rows.length} rows for ${ids.size} proposals; lost ${lost.length}, keys with two rows ${twice}${problems.length ? `; ${problems.join('; ')}` : ''}`,
  );
  return checks;
}

export type { Json };
