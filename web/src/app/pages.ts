// Adding a page is one file: web/src/pages/<name>.tsx exporting `page` (its path, what the caller must
// be able to do to open it — a name of the session's `can`, which the server derives from its routes'
// roles — and optionally a navigation entry). The shell collects them here.
import type { ComponentType } from 'react';
import type { Session } from './session.tsx';

export interface PageDef {
  path: string;
  can: keyof Session['can'];
  /** In the side navigation: the i18n key of its label and its place. */
  nav?: { label: string; order: number };
  Component: ComponentType;
}

const modules = import.meta.glob<{ page: PageDef }>('../pages/*.tsx', { eager: true });
export const PAGES: PageDef[] = Object.values(modules)
  .map((m) => m.page)
  .filter(Boolean);
