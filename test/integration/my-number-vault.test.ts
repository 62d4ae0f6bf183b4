// The My Number vault on the real Postgres: check digit, individuals only, write-only for the hacker,
// reads only with the permission and each one logged, retention deletion, and the number never
// stored in the clear.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { payeeCopyPdf } from '../../src/payouts/annual.ts';
import { myNumberReadLog, myNumberStatus, purgeExpiredMyNumbers, readMyNumbers, setMyNumberAccess, submitMyNumber } from '../../src/payouts/vault.ts';
import { createHarness, userWithToken, type Harness } from '../helpers.ts';

let h: Harness;
const key = loadConfig({ KAIZEN_MYNUMBER_KEY: randomBytes(32).toString('base64') }).myNumberKey!;
const NUMBER = '123456789018';

beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => h?.close());

async function hacker(kind: 'individual' | 'corporation' = 'individual') {
  return (await h.db.insertInto('hackers').values({ display_name: `vault ${randomBytes(3).toString('hex')}`, kind, residency: 'resident', skills: [], industries: [] }).returning('id').executeTakeFirstOrThrow()).id;
}

describe('My Number vault', () => {
  it('takes only a 12-digit number with a valid check digit, only from an individual, and answers only whether it is on file', async () => {
    const id = await hacker();
    await expect(submitMyNumber(h.db, key, id, '123456789017', '2026-12-07')).rejects.toThrow(/check digit/);
    await expect(submitMyNumber(h.db, key, await hacker('corporation'), NUMBER, '2026-12-07')).rejects.toThrow(/only individuals/);
    const status = await submitMyNumber(h.db, key, id, NUMBER, '2026-12-07');
    expect(status).toEqual({ hacker_id: id, on_file: true, submitted_at: expect.any(String) });
    expect(JSON.stringify(status)).not.toContain(NUMBER);
    const row = await h.db.selectFrom('my_numbers').selectAll().where('hacker_id', '=', id).executeTakeFirstOrThrow();
    expect(row.number_encrypted).not.toContain(NUMBER);
    expect(String(row.retain_until)).toMatch(/2034/);
  });

  it('is read only by a finance user an admin granted the permission, and every read is logged with who and why', async () => {
    const id = await hacker();
    await submitMyNumber(h.db, key, id, NUMBER, '2026-12-07');
    const finance = (await userWithToken(h.db, 'finance')).user;
    const admin = (await userWithToken(h.db, 'admin')).user;
    const user = async (uid: number) => h.db.selectFrom('users').selectAll().where('id', '=', uid).executeTakeFirstOrThrow();

    await expect(readMyNumbers(h.db, key, await user(finance.id), [id], 'check')).rejects.toThrow(/My Number permission/);
    await expect(readMyNumbers(h.db, key, await user(admin.id), [id], 'check')).rejects.toThrow(/My Number permission/);
    await expect(setMyNumberAccess(h.db, admin.id, true)).rejects.toThrow(/not a finance user/);
    expect(await myNumberReadLog(h.db, id)).toEqual([]);

    await setMyNumberAccess(h.db, finance.id, true);
    const read = await readMyNumbers(h.db, key, await user(finance.id), [id], '支払調書の確認');
    expect(read.get(id)).toBe(NUMBER);
    expect(await myNumberReadLog(h.db, id)).toEqual([{ id: expect.any(Number), reader_user_id: finance.id, purpose: '支払調書の確認', created_at: expect.any(Date) }]);

    await setMyNumberAccess(h.db, finance.id, false);
    await expect(readMyNumbers(h.db, key, await user(finance.id), [id], 'again')).rejects.toThrow(/My Number permission/);
    expect(await myNumberReadLog(h.db, id)).toHaveLength(1);
  });

  it('is deleted after its retention day, idempotently', async () => {
    const id = await hacker();
    await submitMyNumber(h.db, key, id, NUMBER, '2026-12-07');
    expect(await purgeExpiredMyNumbers(h.db, '2034-12-31')).toBe(0);
    expect((await myNumberStatus(h.db, id)).on_file).toBe(true);
    expect(await purgeExpiredMyNumbers(h.db, '2035-01-01')).toBeGreaterThanOrEqual(1);
    expect((await myNumberStatus(h.db, id)).on_file).toBe(false);
    expect(await purgeExpiredMyNumbers(h.db, '2035-01-01')).toBe(0);
  });

  it('the payee copy of the 支払調書 is only made for a payee with statements due', async () => {
    expect(await payeeCopyPdf(h.db, h.config, await hacker(), 2026)).toBeUndefined();
  });
});
