// A page file's `page` read alone (web/vite-plugins.ts): the shell's routes without the pages' code.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractPageMeta } from '../../web/vite-plugins.ts';

const PAGES = path.resolve(import.meta.dirname, '../../web/src/pages');

/** The meta module's export, as the shell gets it. */
async function metaOf(code: string) {
  const js = extractPageMeta('x.tsx', code);
  return ((await import(`data:text/javascript,${encodeURIComponent(js)}`)) as { page: unknown }).page;
}

describe('page meta', () => {
  it('keeps path, can and nav, and leaves out the component and everything else in the file', async () => {
    const code = `import { Title } from '@mantine/core';
      import type { PageDef } from '../app/pages.ts';
      function Tasks() { return <Title>hi</Title>; }
      export const page: PageDef = { path: '/', can: 'view_tasks', nav: { label: 'nav.tasks', order: 0 }, Component: Tasks };
      export default Tasks;`;
    const js = extractPageMeta('tasks.tsx', code);
    expect(js).not.toMatch(/mantine|Tasks|import/);
    expect(await metaOf(code)).toEqual({ path: '/', can: 'view_tasks', nav: { label: 'nav.tasks', order: 0 } });
  });

  it('refuses a page that refers to anything else in its file, and a file without `page` is no page', async () => {
    expect(() => extractPageMeta('x.tsx', `const ORDER = 3; export const page = { path: '/x', can: 'a', nav: { label: 'n', order: ORDER } };`)).toThrow(/only literals.*ORDER/);
    expect(() => extractPageMeta('x.tsx', `export const page = { path: base(), can: 'a' };`)).toThrow(/only literals/);
    expect(await metaOf(`export function helper() {}`)).toBeUndefined();
  });

  it("every page file's meta reads as literals with a path and a `can`", async () => {
    for (const f of readdirSync(PAGES).filter((n) => n.endsWith('.tsx'))) {
      const page = (await metaOf(readFileSync(path.join(PAGES, f), 'utf8'))) as { path?: string; can?: string };
      expect(page?.path, f).toMatch(/^\//);
      expect(typeof page?.can, f).toBe('string');
    }
  });
});
