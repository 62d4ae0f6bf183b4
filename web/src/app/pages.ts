// Adding a page is one file: web/src/pages/<name>.tsx exporting `page` (its path, who may open it,
// and optionally a navigation entry). The shell collects them here.
import type { ComponentType } from 'react';
import type { Role } from './session.tsx';

export interface PageDef {
  path: string;
  roles: readonly Role[];
  /** In the side navigation: the i18n key of its label and its place. */
  nav?: { label: string; order: number };
  Component: ComponentType;
}

const modules = import.meta.glob<{ page: PageDef }>('../pages/*.tsx', { eager: true });
export const PAGES: PageDef[] = Object.values(modules)
  .map((m) => m.page)
  .filter(Boolean);
