// Every message key exists in Japanese and English, and every key the pages name literally exists.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const WEB = path.resolve(import.meta.dirname, '../../web/src');
const load = (lang: string) => JSON.parse(readFileSync(path.join(WEB, 'i18n', `${lang}.json`), 'utf8')) as Record<string, unknown>;
function keys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));

describe('web messages', () => {
  const en = keys(load('en')).sort();
  const ja = keys(load('ja')).sort();

  it('Japanese and English have the same keys, none empty', () => {
    expect(ja.filter((k) => !en.includes(k))).toEqual([]);
    expect(en.filter((k) => !ja.includes(k))).toEqual([]);
    for (const lang of ['en', 'ja']) {
      const dict = load(lang);
      for (const k of keys(dict)) expect(k.split('.').reduce<any>((o, p) => o[p], dict), `${lang}:${k}`).toMatch(/\S/);
    }
  });

  it('every literal key the pages use exists, and placeholders match across languages', () => {
    const used = new Set<string>();
    for (const f of sources(WEB)) for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*['"]([a-zA-Z0-9_.]+)['"]/g)) used.add(m[1]!);
    for (const f of sources(path.join(WEB, 'pages'))) for (const m of readFileSync(f, 'utf8').matchAll(/label: '(nav\.[a-zA-Z]+)'/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !en.includes(k))).toEqual([]);
    const value = (lang: string, k: string) => k.split('.').reduce<any>((o, p) => o[p], load(lang)) as string;
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const k of en) expect(vars(value('ja', k)), k).toEqual(vars(value('en', k)));
  });
});
