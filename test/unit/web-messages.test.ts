// Every message code the API can send (src/domain/messages.ts: one list per kind) renders in both
// catalogues: a code added on the server without its Japanese and English sentence fails here. The
// Japanese sentence is Japanese (no English reaches the Japanese UI), every placeholder is filled, and
// the waiting-for sentences the workflows write come back as codes whose parameters fill them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_KINDS, AUDIT_ACTIONS, ERROR_CODES, FIELD_ERROR_CODES, RULE_CODES, WAITING_FOR_CODES, WARNING_CODES, waitingForMessage } from '../../src/domain/messages.ts';

const I18N = path.resolve(import.meta.dirname, '../../web/src/i18n');
const load = (lang: string) => JSON.parse(readFileSync(path.join(I18N, `${lang}.json`), 'utf8')) as Record<string, unknown>;

const t: Record<'ja' | 'en', TFunction> = {} as never;
beforeAll(async () => {
  for (const lang of ['ja', 'en'] as const) {
    const i = i18next.createInstance();
    await i.init({ resources: { [lang]: { translation: load(lang) } }, lng: lang, fallbackLng: false, interpolation: { escapeValue: false } });
    t[lang] = i.t.bind(i);
  }
});

// Values for every placeholder a sentence may name, so a missing one shows as "{{name}}".
const PARAMS = { n: 3, limit: 60, seconds: 5, method: 'DELETE', allowed: 'GET', reason: 'R', phase: 'paying', month: '2026-11', yen: 1200, number: 'INV-1', due: '2026-12-31', received_on: '2026-12-01', text: 'T', name: '山田', hours: 24, user_id: 5, values: 'a, b', type: 'string', format: 'date', dependency: 'database', run: 1 };
const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;

const KEYS: [string, readonly string[]][] = [
  ['msg.error', ERROR_CODES],
  ['msg.field', FIELD_ERROR_CODES],
  ['msg.rule', RULE_CODES],
  ['msg.waiting', WAITING_FOR_CODES],
  ['msg.audit', AUDIT_ACTIONS],
  ['msg.actor', ACTOR_KINDS],
  ...WARNING_CODES.flatMap((c): [string, string[]][] => [[`msg.warning.${c}`, ['title', 'body']]]),
];

describe('API message codes in the web catalogues', () => {
  it.each(KEYS)('%s: every code renders in Japanese and English, placeholders filled', (prefix, codes) => {
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) {
      const key = `${prefix}.${code}`;
      for (const lang of ['ja', 'en'] as const) {
        const text = t[lang](key, PARAMS);
        expect(text, `${lang}: ${key}`).not.toBe(key);
        expect(text, `${lang}: ${key}`).not.toMatch(/\{\{|\}\}/);
        expect(text.trim(), `${lang}: ${key}`).not.toBe('');
      }
      // Japanese, unless the sentence is only its parameter (a name, the text of an unknown code).
      const raw = t.ja(key, { text: '', name: '' });
      if (raw.trim()) expect(t.ja(key, PARAMS), `ja: ${key}`).toMatch(JAPANESE);
    }
  });

  it('reads the waiting-for sentences the workflows, views and billing write back as codes that fill their sentence', () => {
    const written: [string, string, Record<string, string | number>][] = [
      ['a plan from the client or CS', 'cycle.plan', {}],
      ['proposals from growth hackers', 'cycle.proposals', {}],
      ['the client or CS to select proposals', 'cycle.selection', {}],
      ['CS learnings (optional)', 'cycle.learnings', {}],
      ['CS to review 2 proposals', 'cycle.review_proposals', { n: 2 }],
      ['CS to fix the engagement: no pages', 'cycle.fix_engagement', { reason: 'no pages' }],
      ['your proposal', 'offer.your_proposal', {}],
      ['the draft', 'payout.draft', {}],
      ['finance to review, then approve (any finance user) or reject', 'payout.review', {}],
      ['finance to review, then approve (a finance user other than user 5, who prepared it) or reject', 'payout.review_other', { user_id: 5 }],
      ['bank transfers', 'payout.transfers', {}],
      ["the bank's results for 2 transfers (import the result file or mark them)", 'payout.bank_results', { n: 2 }],
      ['finance: 1 transfer failed or came back; retry, move to the next run or cancel each', 'payout.attention', { n: 1 }],
      ['finance to record the remittance of ¥10210 withheld', 'payout.remittance_yen', { yen: 10210 }],
      ['finance to record the withholding remittance', 'payout.remittance', {}],
      ['finance: the run is blocked while drafting: no payer account', 'payout.blocked', { phase: 'drafting', reason: 'no payer account' }],
      ['nothing: no unpaid earnings', 'payout.nothing', {}],
      ['you: your payment of 2026-11 did not reach your account (closed account); check your bank details', 'payout.fix_bank', { month: '2026-11', reason: 'closed account' }],
      ['finance to review and issue the 2026-11 draft', 'billing.review_draft', { month: '2026-11' }],
      ['finance to release the held draft (client asked) and issue it', 'billing.release_draft', { reason: 'client asked' }],
      ['payment of ¥99000 on INV-2026-0001 (due 2026-12-31)', 'billing.payment', { yen: 99000, number: 'INV-2026-0001', due: '2026-12-31' }],
      ['finance to match ¥5000 received 2026-12-01 (no invoice number)', 'billing.match_receipt', { yen: 5000, received_on: '2026-12-01', reason: 'no invoice number' }],
    ];
    for (const [text, code, params] of written) {
      const m = waitingForMessage(text);
      expect(m, text).toEqual({ code, params });
      for (const lang of ['ja', 'en'] as const) {
        const shown = t[lang](`msg.waiting.${code}`, m!.params);
        // Every parameter is said, except a user's id (pages name people, never "user 5").
        for (const [k, v] of Object.entries(params)) if (k !== 'user_id') expect(shown, `${lang}: ${code}`).toContain(String(v));
      }
    }
    expect(waitingForMessage('something new')).toEqual({ code: 'other', params: { text: 'something new' } });
    expect(waitingForMessage(null)).toBeNull();
  });
});
