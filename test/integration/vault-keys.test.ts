// Keys and retention of what payouts keep encrypted (issue 24 items 4 and 6), on a database of its own
// (the rekey command reads every row): `kaizen payees rekey` re-encrypts bank details and My Numbers
// made under an older key id with the ring's current key, idempotently; the daily retention Schedule
// (created once, Asia/Tokyo) runs the purge of numbers past their retention day on the worker.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { payees as payeesCli } from '../../src/cli/payees.ts';
import { loadConfig } from '../../src/config.ts';
import { decryptJson } from '../../src/payouts/crypto.ts';
import { bankAad } from '../../src/payouts/payees.ts';
import { ensureMyNumberRetentionSchedule, MY_NUMBER_RETENTION_SCHEDULE_ID } from '../../src/payouts/retention.ts';
import { myNumberAad } from '../../src/payouts/vault.ts';
import { createHarness, eventually, userWithToken, type Harness } from '../helpers.ts';
import { isolatedDatabase } from '../web/browser.ts';

let h: Harness;
let databaseUrl: string;
const NUMBER = '123456789018';

beforeAll(async () => {
  databaseUrl = await isolatedDatabase(inject('databaseUrl'));
  h = await createHarness({ databaseUrl });
});
afterAll(async () => {
  await h?.close();
});

async function individual(name: string) {
  return (await h.db.insertInto('hackers').values({ display_name: name, kind: 'individual', residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
}

/** Runs `kaizen payees rekey` against this file's database with the given key settings; its stdout as JSON. */
async function rekey(env: Record<string, string>) {
  const out: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (out.push(String(chunk)), true));
  const before = Object.fromEntries(Object.keys({ ...env, DATABASE_URL: '' }).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env, { DATABASE_URL: databaseUrl });
  try {
    expect(await payeesCli(['rekey'])).toBe(0);
  } finally {
    write.mockRestore();
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return JSON.parse(out.join(''));
}

describe('key rotation', () => {
  it('`kaizen payees rekey` re-encrypts bank details and My Numbers under the new key; a second run changes nothing', async () => {
    const fin = await userWithToken(h.db, 'finance');
    const id = await individual('Rekey Payee');
    const me = await userWithToken(h.db, 'hacker', { hackerId: id });
    const account = { bank_code: '0001', branch_code: '001', account_type: '1', account_number: '7654321', holder_name: 'ﾘｷ ﾀﾛｳ' };
    const put = await h.app.inject({ method: 'PUT', url: `/v1/hackers/${id}/payee`, headers: fin.auth, payload: { bank: account } });
    expect(put.statusCode, put.body).toBe(200);
    expect((await h.app.inject({ method: 'PUT', url: `/v1/hackers/${id}/my-number`, headers: me.auth, payload: { my_number: NUMBER } })).statusCode).toBe(200);
    const envelopes = async () => ({
      bank: (await h.db.selectFrom('payees').select('bank_encrypted').where('hacker_id', '=', id).executeTakeFirstOrThrow()).bank_encrypted!,
      number: (await h.db.selectFrom('my_numbers').select('number_encrypted').where('hacker_id', '=', id).executeTakeFirstOrThrow()).number_encrypted,
    });
    const before = await envelopes();
    expect(before.bank.startsWith('v2.k1.')).toBe(true);
    expect(before.number.startsWith('v2.k1.')).toBe(true);

    // The rotation: a new first key (k2), the old one (the harness's, k1) kept after it to decrypt.
    const b64 = (key: Buffer) => key.toString('base64');
    const newBank = randomBytes(32);
    const newNumber = randomBytes(32);
    const rotated = { KAIZEN_BANK_KEY: `k2:${b64(newBank)},k1:${b64(h.config.bankKey!)}`, KAIZEN_MYNUMBER_KEY: `k2:${b64(newNumber)},k1:${b64(h.config.myNumberKey!)}` };
    // Only the new keys: what the old key sealed does not open with them.
    const onlyNew = loadConfig({ KAIZEN_BANK_KEY: `k2:${b64(newBank)}`, KAIZEN_MYNUMBER_KEY: `k2:${b64(newNumber)}` });
    expect(() => decryptJson(onlyNew.bankKey!, bankAad(id), before.bank)).toThrow(/key "k1"/);

    expect(await rekey(rotated)).toEqual({ payees: 1, payee_change_requests: 0, payout_zengin_lines: 0, my_numbers: 1 });
    const after = await envelopes();
    expect(after.bank.startsWith('v2.k2.')).toBe(true);
    expect(after.number.startsWith('v2.k2.')).toBe(true);
    expect(decryptJson(onlyNew.bankKey!, bankAad(id), after.bank)).toEqual(account);
    expect(decryptJson(onlyNew.myNumberKey!, myNumberAad(id), after.number)).toBe(NUMBER);

    expect(await rekey(rotated)).toEqual({ payees: 0, payee_change_requests: 0, payout_zengin_lines: 0, my_numbers: 0 });
    expect(await envelopes()).toEqual(after);
  });
});

describe('retention', () => {
  it('the daily Schedule is created once (Asia/Tokyo) and its run deletes the numbers past their retention day, and only those', async () => {
    const expired = await individual(`Expired ${randomUUID().slice(0, 6)}`);
    const kept = await individual(`Kept ${randomUUID().slice(0, 6)}`);
    for (const id of [expired, kept]) {
      const me = await userWithToken(h.db, 'hacker', { hackerId: id });
      expect((await h.app.inject({ method: 'PUT', url: `/v1/hackers/${id}/my-number`, headers: me.auth, payload: { my_number: NUMBER } })).statusCode).toBe(200);
    }
    await h.db.updateTable('my_numbers').set({ retain_until: '2020-12-31' }).where('hacker_id', '=', expired).execute();

    const cfg = { taskQueue: h.config.taskQueue };
    expect(await ensureMyNumberRetentionSchedule(h.temporal, cfg)).toBe(true);
    const schedule = h.temporal.schedule.getHandle(MY_NUMBER_RETENTION_SCHEDULE_ID);
    try {
      expect(await ensureMyNumberRetentionSchedule(h.temporal, cfg)).toBe(false);
      const d = await schedule.describe();
      expect(d.spec.timezone).toBe('Asia/Tokyo');
      expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 10, end: 10, step: 1 }] });
      await schedule.trigger();
      const onFile = async (id: number) => (await h.db.selectFrom('my_numbers').select('hacker_id').where('hacker_id', '=', id).executeTakeFirst()) !== undefined;
      await eventually(async () => ((await onFile(expired)) ? undefined : true), 60_000);
      expect(await onFile(kept)).toBe(true);
      const status = await h.app.inject({ url: `/v1/hackers/${expired}/my-number`, headers: (await userWithToken(h.db, 'finance')).auth });
      expect(status.json()).toMatchObject({ on_file: false });
    } finally {
      await schedule.delete();
    }
  });
});
