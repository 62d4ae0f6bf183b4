// Conversion of names to the Zengin single-byte character set: 0-9, A-Z, ｱ-ﾝ, ﾞ, ﾟ, space and ( ) - .
// Steps: NFKC; hiragana → katakana; legal-form words → abbreviations placed by position (leading
// `ｶ)`, trailing `(ｶ`, middle `(ｶ)`); small kana → large; ヲ → ｵ; ー/－ → `-`; ・ → `.`; full-width →
// half-width with voicing marks as separate bytes; anything else (kanji, lower case…) is rejected; the
// result is capped at `maxBytes` without splitting a voicing mark from its letter.

export type ZenginNameResult = { ok: true; value: string } | { ok: false; error: string };

export interface ZenginNameOptions {
  /** Field width in bytes: 30 for a payee name (default), 40 for the requester, 15 for bank/branch names. */
  maxBytes?: number;
  /** Convert legal-form words such as 株式会社 (default true). */
  legalForms?: boolean;
}

/** Legal-form words and their Zengin abbreviations. Longest words are matched first. */
export const LEGAL_FORMS: ReadonlyArray<{ word: string; abbr: string }> = [
  { word: '株式会社', abbr: 'ｶ' },
  { word: '有限会社', abbr: 'ﾕ' },
  { word: '合同会社', abbr: 'ﾄﾞ' },
  { word: '合名会社', abbr: 'ﾒ' },
  { word: '合資会社', abbr: 'ｼ' },
  { word: '一般社団法人', abbr: 'ｼﾔ' },
  { word: '一般財団法人', abbr: 'ｻﾞｲ' },
  { word: '医療法人', abbr: 'ｲ' },
  { word: '特定非営利活動法人', abbr: 'ﾄｸﾋ' },
  // Parenthesised short forms (NFKC turns ㈱ into (株) and ㍿ into 株式会社).
  { word: '(株)', abbr: 'ｶ' },
  { word: '(有)', abbr: 'ﾕ' },
  { word: '(同)', abbr: 'ﾄﾞ' },
  { word: '(名)', abbr: 'ﾒ' },
  { word: '(資)', abbr: 'ｼ' },
  { word: '(医)', abbr: 'ｲ' },
];

const FULL_BASE = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン';
const SMALL_TO_LARGE: Record<string, string> = {
  ァ: 'ア', ィ: 'イ', ゥ: 'ウ', ェ: 'エ', ォ: 'オ', ッ: 'ツ', ャ: 'ヤ', ュ: 'ユ', ョ: 'ヨ', ヮ: 'ワ',
  ヵ: 'カ', ヶ: 'ケ', ヲ: 'オ', ヰ: 'イ', ヱ: 'エ',
};
const HYPHENS = new Set(['ー', '-', '‐', '‑', '‒', '–', '—', '―', '−', '－', 'ｰ']);
const PASS_THROUGH = /^[0-9A-Z ().\-]$/;
/** Letters that may carry a voicing mark (ﾞ) and a semi-voicing mark (ﾟ). */
const VOICEABLE = new Set('カキクケコサシスセソタチツテトハヒフヘホウ');
const SEMI_VOICEABLE = new Set('ハヒフヘホ');

const HALF_OF = new Map<string, string>();
for (let i = 0; i < FULL_BASE.length; i++) HALF_OF.set(FULL_BASE[i]!, String.fromCharCode(0xff71 + i));

export const DAKUTEN = 'ﾞ';
export const HANDAKUTEN = 'ﾟ';

/** Every character a Zengin name may contain. */
export const ZENGIN_NAME_CHARS = /^[0-9A-Z\uFF71-\uFF9F ().\-]*$/;

function hiraganaToKatakana(s: string): string {
  return s.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** One (NFKC-normalised, katakana) character to Zengin bytes, or undefined if not allowed. */
function convertChar(c: string): string | undefined {
  if (PASS_THROUGH.test(c)) return c;
  if (HYPHENS.has(c)) return '-';
  if (c === '・') return '.';
  const nfd = c.normalize('NFD');
  const base = nfd[0]!;
  const mark = nfd.slice(1);
  const large = SMALL_TO_LARGE[base] ?? base;
  const half = HALF_OF.get(large);
  if (half === undefined) return undefined;
  if (mark === '') return half;
  if (mark === '\u3099' && VOICEABLE.has(large) && base === large) return half + DAKUTEN;
  if (mark === '\u309A' && SEMI_VOICEABLE.has(large)) return half + HANDAKUTEN;
  return undefined;
}

function describeBad(chars: string[]): string {
  const unique = [...new Set(chars)];
  const kinds = new Set<string>();
  for (const c of unique) {
    if (/\p{Script=Han}/u.test(c)) kinds.add('kanji');
    else if (/[a-z]/.test(c)) kinds.add('lower case letters');
    else kinds.add('characters outside the Zengin set');
  }
  const shown = unique.map((c) => JSON.stringify(c)).join(', ');
  return (
    `not allowed in a Zengin name: ${shown} (${[...kinds].join(', ')}); ` +
    'allowed are 0-9, A-Z, kana, space and ( ) - . — give the account holder\'s kana name as the bank has it'
  );
}

function convertText(text: string, bad: string[]): string {
  let out = '';
  for (const c of text) {
    const z = convertChar(c);
    if (z === undefined) bad.push(c);
    else out += z;
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const LEGAL_RE = new RegExp(
  [...LEGAL_FORMS]
    .sort((a, b) => b.word.length - a.word.length)
    .map((f) => escapeRe(f.word))
    .join('|'),
  'g',
);
const ABBR_OF = new Map(LEGAL_FORMS.map((f) => [f.word, f.abbr]));

/** Truncates to `maxBytes` single-byte characters, never leaving a letter without its voicing mark. */
export function capZengin(value: string, maxBytes: number): string {
  if (value.length <= maxBytes) return value;
  let cut = maxBytes;
  const next = value[cut];
  if (next === DAKUTEN || next === HANDAKUTEN) cut -= 1;
  return value.slice(0, cut).trimEnd();
}

/** Control characters and line/paragraph separators: in a 120-byte record a CR or LF ends the record. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

export function toZenginName(input: string, options: ZenginNameOptions = {}): ZenginNameResult {
  if (typeof input !== 'string') return { ok: false, error: 'must be a string' };
  // Refused, not turned into spaces: a name with a line break is not a name the bank has.
  if (CONTROL.test(input)) return { ok: false, error: 'must not contain control characters (line breaks, tabs…)' };
  const maxBytes = options.maxBytes ?? 30;
  let s = hiraganaToKatakana(input.normalize('NFKC'));
  s = s.replace(/\s+/g, ' ').trim();

  const bad: string[] = [];
  let out = '';
  if (options.legalForms === false) {
    out = convertText(s, bad);
  } else {
    const matches = [...s.matchAll(LEGAL_RE)];
    let pos = 0;
    matches.forEach((m, i) => {
      const start = m.index;
      const end = start + m[0].length;
      const before = s.slice(pos, start).trimEnd();
      out += convertText(before, bad);
      const leading = s.slice(0, start).trim() === '';
      const trailing = s.slice(end).trim() === '';
      const abbr = ABBR_OF.get(m[0])!;
      if (leading) out += `${abbr})`;
      else if (trailing) out += `(${abbr}`;
      else out += `(${abbr})`;
      pos = end;
      // Text right after a form word starts without the separating space.
      if (i === matches.length - 1 || matches[i + 1]!.index > end) {
        while (s[pos] === ' ') pos++;
      }
    });
    out += convertText(s.slice(pos), bad);
  }
  if (bad.length > 0) return { ok: false, error: describeBad(bad) };
  out = out.replace(/ {2,}/g, ' ').trim();
  if (out === '') return { ok: false, error: 'is empty after conversion' };
  return { ok: true, value: capZengin(out, maxBytes) };
}

/**
 * A name for a Zengin field of `maxBytes` that must hold it whole (a payee's account holder): converted,
 * and refused when it does not fit instead of cut. The one check of the payee master (API) and of the
 * bank file (CLI `kaizen payouts zengin`).
 */
export function toZenginField(input: string, maxBytes: number): ZenginNameResult {
  const r = toZenginName(input, { maxBytes: Number.MAX_SAFE_INTEGER, legalForms: true });
  if (!r.ok || r.value.length <= maxBytes) return r;
  return { ok: false, error: `is ${r.value.length} bytes in Zengin form; the field holds ${maxBytes}` };
}
