// Knowledge search without a word splitter. Japanese has no spaces, so a dictionary-free index keeps
// every kana/kanji character (unigram) and every pair of adjacent ones (bigram); Latin letters and
// digits are whole words. Text is NFKC-normalised (full-width ＡＢＣ → abc, half-width ｶﾅ → カナ) and
// lower-cased, so English is case-insensitive.
//
// A query matches an entry when the entry's tokens contain all the query's tokens (a GIN-indexed
// `@>` over text[]) AND the entry's normalised text contains the normalised query as a substring (the
// recheck: bigrams present but apart, e.g. `申込` … `込フ`, never count). A 1-character Japanese
// query uses its unigram; 2+ characters use a covering set of bigrams (non-overlapping pairs plus the
// last pair), which is enough because the substring recheck restores exactness.

/** Kana, CJK ideographs (with extension A and compatibility forms), the iteration mark 々 and 〆. */
const CJK = /[\u3005\u3006\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
const WORD = /[\p{L}\p{N}]/u;

export function normalizeSearchText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

type Run = { kind: 'cjk' | 'word'; text: string };

/** Maximal runs of kana/kanji and of other letters/digits in normalised text. */
function runsOf(normalized: string): Run[] {
  const runs: Run[] = [];
  let current: Run | null = null;
  for (const ch of normalized) {
    const kind = CJK.test(ch) ? 'cjk' : WORD.test(ch) ? 'word' : null;
    if (kind === null) {
      current = null;
      continue;
    }
    if (current && current.kind === kind) current.text += ch;
    else runs.push((current = { kind, text: ch }));
  }
  return runs;
}

/** The index tokens of a text: words, and every kana/kanji unigram and adjacent bigram. Sorted, unique. */
export function documentTokens(text: string): string[] {
  const out = new Set<string>();
  for (const run of runsOf(normalizeSearchText(text))) {
    if (run.kind === 'word') {
      out.add(run.text);
      continue;
    }
    const chars = [...run.text];
    for (let i = 0; i < chars.length; i++) {
      out.add(chars[i]!);
      if (i + 1 < chars.length) out.add(chars[i]! + chars[i + 1]!);
    }
  }
  return [...out].sort();
}

export interface SearchQuery {
  /** The normalised query: the substring every match must contain. */
  phrase: string;
  /** Tokens every match must have (empty: the query has no letters, digits or kana/kanji). */
  tokens: string[];
}

/** The tokens a query needs and the phrase it rechecks. */
export function queryTokens(q: string): SearchQuery {
  const phrase = normalizeSearchText(q);
  const tokens = new Set<string>();
  for (const run of runsOf(phrase)) {
    const chars = [...run.text];
    if (run.kind === 'word' || chars.length === 1) {
      tokens.add(run.text);
      continue;
    }
    // Non-overlapping pairs plus the last pair cover the run; the substring recheck does the rest.
    for (let i = 0; i + 1 < chars.length; i += 2) tokens.add(chars[i]! + chars[i + 1]!);
    tokens.add(chars[chars.length - 2]! + chars[chars.length - 1]!);
  }
  return { phrase, tokens: [...tokens].sort() };
}

export interface SearchableEntry {
  hypothesis: string;
  change: string;
  learnings: string | null;
  tags: string[];
  page_type: string;
  outcome: string;
  industry: string;
  month: string;
}

export interface SearchFilters {
  industry?: string;
  page_type?: string;
  outcome?: string;
  tags?: string[];
  month?: string;
}

/**
 * Exact-match filters as tokens (`industry:finance`, `tag:cta`, …; a ':' never occurs in a text
 * token), stored in both token arrays so one GIN lookup serves the words and the filters together.
 */
export function filterTokens(f: SearchFilters): string[] {
  const out: string[] = [];
  if (f.industry) out.push(`industry:${f.industry}`);
  if (f.page_type) out.push(`page:${f.page_type}`);
  if (f.outcome) out.push(`outcome:${f.outcome}`);
  if (f.month) out.push(`month:${f.month}`);
  // Tags as normalizeTag spells them (src/domain/tags.ts: the same function), stored and asked alike: CTA finds cta.
  for (const t of f.tags ?? []) out.push(`tag:${normalizeSearchText(t)}`);
  return out;
}

/**
 * The stored search columns of an entry. Relevance tier 1 reads `search_head_tokens` (hypothesis and
 * tags), tier 2 `search_tokens` (change, learnings, page type, outcome); both carry the filter tokens;
 * `search_text` (all fields, normalised) is what the phrase recheck reads.
 */
export function knowledgeSearchFields(e: SearchableEntry): { search_text: string; search_tokens: string[]; search_head_tokens: string[] } {
  const filters = filterTokens({ industry: e.industry, page_type: e.page_type, outcome: e.outcome, month: e.month, tags: e.tags });
  const head = [e.hypothesis, ...e.tags].join('\n');
  const body = [e.change, e.learnings ?? '', e.page_type, e.outcome].join('\n');
  const all = [e.hypothesis, e.tags.join(' '), e.change, e.learnings ?? '', e.page_type, e.outcome].join('\n');
  return {
    search_text: normalizeSearchText(all),
    search_tokens: [...documentTokens(body), ...filters].sort(),
    search_head_tokens: [...documentTokens(head), ...filters].sort(),
  };
}

/** Relevance tiers, best first: the words are in the hypothesis or tags; in the change, learnings, page type or outcome. */
export const RELEVANCE_TIERS = [
  { tier: 1, field: 'search_head_tokens', label: 'hypothesis or tags' },
  { tier: 2, field: 'search_tokens', label: 'change, learnings, page type or outcome' },
] as const;

/** An opaque cursor over (tier, id): the next page starts after it. */
export function encodeCursor(tier: number, id: number): string {
  return `${tier}.${id}`;
}

export function decodeCursor(cursor: string | undefined): { tier: number; id: number } | null {
  if (!cursor) return null;
  const m = /^([012])\.(\d{1,16})$/.exec(cursor);
  return m ? { tier: Number(m[1]), id: Number(m[2]) } : null;
}

const URL_RE = /\bhttps?:\/\/[^\s"'<>]+|\bwww\.[^\s"'<>]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|jp|net|org|io|co|shop|info|biz)\b[^\s"'<>]*/giu;

/**
 * The cross-client view of a text for hackers: the client's name (as written, case-insensitive, also
 * NFKC-normalised) becomes `[client]`, URLs and domain names become `[url]`.
 */
export function anonymiseText(text: string, clientNames: string[]): string {
  let out = text.replace(URL_RE, '[url]');
  for (const name of clientNames) {
    for (const form of new Set([name, name.normalize('NFKC')])) {
      if (form.trim().length < 2) continue;
      out = out.replace(new RegExp(form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu'), '[client]');
    }
  }
  return out;
}

/**
 * The text tokens the GIN index looks up: the `max` rarest by their frequency in the statistics (a token
 * the statistics do not list is rare). The others need not be looked up: the substring recheck implies
 * them, and reading the posting lists of common bigrams is most of a long query's cost.
 */
export function indexTokens(tokens: readonly string[], freq: ReadonlyMap<string, number>, max = 3): string[] {
  return [...tokens].sort((a, b) => (freq.get(a) ?? 0) - (freq.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0)).slice(0, max).sort();
}

/** Shares (0–1) of a table's rows, measured on a sample, that decide a search tier's plan. */
export interface TierShares {
  /** Rows in the table. */
  rows: number;
  /** Rows the page needs. */
  limit: number;
  /** Σ over the looked-up tokens of their frequency: the posting lists the GIN index reads. */
  postings: number;
  /** Rows the GIN index hands over (all looked-up tokens present), each fetched and rechecked. */
  candidates: number;
  /** Rows that match the whole predicate. */
  matches: number;
}

/**
 * Walk the id index newest-first (stops at the limit-th match) or use the GIN index (reads the posting
 * lists, fetches every candidate, sorts)? Rough costs in µs, read off EXPLAIN ANALYZE of the bench's
 * queries on 1M entries here (a fetched row cost 1.6–13 µs, a walked one ~5): ~0.05 per posting, ~5 per
 * fetched or walked row. A query that matches nothing walks the whole table.
 */
export function preferWalk(s: TierShares): boolean {
  const gin = s.rows * (0.05 * s.postings + 5 * s.candidates);
  const walk = 5 * (s.matches > 0 ? Math.min(s.rows, s.limit / s.matches) : s.rows);
  return walk < gin;
}

