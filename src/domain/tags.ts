// Tags, skills, industries and page types as one vocabulary form: what a person types (計測, CTA,
// ＣＴＡ, " Forms ") is stored and matched as one spelling — the search's own normalisation.
import { normalizeSearchText } from './cycles/knowledge-search.ts';

/** A tag's one spelling: NFKC (full-width → half-width), trimmed, inner spaces single, lower-case. */
export const normalizeTag = (raw: string): string => normalizeSearchText(raw);

/** Distinct normalised tags, in first-seen order, without empty ones. */
export function normalizeTags(raw: readonly string[]): string[] {
  return [...new Set(raw.map(normalizeTag).filter(Boolean))];
}

/**
 * What a tag may contain before normalisation (the schemas' pattern): any script (計測, CTA), no
 * control characters and no commas (lists of tags are typed comma-separated). A plain class, so the
 * fuzzer's regex engine reads it too.
 */
export const TAG_PATTERN = '^[^\\x00-\\x1f\\x7f,]+$';
