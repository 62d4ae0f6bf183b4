// The vocabularies people choose from instead of typing free text: skills, industries, page types and
// learning tags. What the data already holds comes first; this seed list makes a new install useful.
import { normalizeTags } from './tags.ts';

export const VOCABULARY_KINDS = ['skills', 'industries', 'page_types', 'tags'] as const;
export type VocabularyKind = (typeof VOCABULARY_KINDS)[number];

export const VOCABULARY_SEED: Record<VocabularyKind, readonly string[]> = {
  skills: ['analytics', 'copywriting', 'cta', 'design', 'forms', 'performance', 'seo', 'ux'],
  industries: ['b2b', 'ecommerce', 'education', 'finance', 'healthcare', 'media', 'real_estate', 'saas', 'travel'],
  page_types: ['cart', 'checkout', 'form', 'landing', 'pricing', 'product', 'signup', 'top'],
  tags: ['cta', 'copy', 'forms', 'pricing', 'trust', '計測', '導線', 'ファーストビュー'],
};

/** A vocabulary: the seed and what is in use, normalised, distinct, sorted (Japanese after Latin). */
export function vocabulary(kind: VocabularyKind, inUse: readonly string[], limit = 500): string[] {
  return normalizeTags([...VOCABULARY_SEED[kind], ...inUse])
    .sort((a, b) => a.localeCompare(b, 'ja'))
    .slice(0, limit);
}
