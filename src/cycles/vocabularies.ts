// The vocabularies as the data holds them (src/domain/vocabularies.ts adds the seed): one query per
// kind. A client user's tags come from its own company's knowledge only.
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { vocabulary, type VocabularyKind } from '../domain/vocabularies.ts';

export async function vocabularies(db: Db, opts: { clientId?: number }): Promise<Record<VocabularyKind, string[]>> {
  const values = (q: ReturnType<typeof sql<{ v: string }>>) => q.execute(db).then((r) => r.rows.map((x) => x.v));
  const [skills, industries, pageTypes, tags] = await Promise.all([
    values(sql<{ v: string }>`select distinct unnest(skills) as v from hackers`),
    values(sql<{ v: string }>`select industry as v from clients union select unnest(industries) from hackers`),
    values(sql<{ v: string }>`select distinct page_type as v from pages`),
    values(
      opts.clientId === undefined
        ? sql<{ v: string }>`select distinct unnest(tags) as v from knowledge_entries`
        : sql<{ v: string }>`select distinct unnest(tags) as v from knowledge_entries where client_id = ${opts.clientId}`,
    ),
  ]);
  return {
    skills: vocabulary('skills', skills),
    industries: vocabulary('industries', industries),
    page_types: vocabulary('page_types', pageTypes),
    tags: vocabulary('tags', tags),
  };
}
