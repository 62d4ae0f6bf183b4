// Adding a page is one file: web/src/pages/<name>.tsx exporting `page` (its path, what the caller must
// be able to do to open it — a name of the session's `can`, which the server derives from its routes'
// roles — and optionally a navigation entry; literals only) and its component as the default export.
// The shell reads every page's `page` alone (the `?meta` import, web/vite-plugins.ts) and loads the
// component in its own chunk when the route is visited or its nav link is hovered or focused, so a
// role's first page loads only its own code (the charting library only with pages that draw charts).
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { matchPath } from 'react-router';
import type { Session } from './session.tsx';

export interface PageDef {
  path: string;
  can: keyof Session['can'];
  /** In the side navigation: the i18n key of its label and its place. */
  nav?: { label: string; order: number };
  /** The older pattern (component named here instead of the default export); still read. */
  Component?: ComponentType;
}

export interface Page extends Omit<PageDef, 'Component'> {
  Component: LazyExoticComponent<ComponentType>;
  /** Starts loading the page's chunk (once). */
  preload: () => Promise<unknown>;
}

type PageModule = { default?: ComponentType; page?: PageDef };
const metas = import.meta.glob<PageDef | undefined>('../pages/*.tsx', { query: '?meta', import: 'page', eager: true });
const modules = import.meta.glob<PageModule>('../pages/*.tsx');

export const PAGES: Page[] = Object.entries(metas).flatMap(([file, meta]) => {
  const load = modules[file];
  if (!meta || !load) return [];
  let loading: Promise<{ default: ComponentType }> | undefined;
  const preload = () =>
    (loading ??= load().then((m) => {
      const Component = m.default ?? m.page?.Component;
      if (!Component) throw new Error(`${file}: no default export`);
      return { default: Component };
    }));
  return [{ path: meta.path, can: meta.can, nav: meta.nav, Component: lazy(preload), preload }];
});

/** Starts loading the chunk of the page at `pathname` (on boot, beside the session request). */
export function preloadPageAt(pathname: string): void {
  const hit = PAGES.filter((p) => matchPath(p.path, pathname)).sort((a, b) => b.path.length - a.path.length)[0];
  void hit?.preload().catch(() => undefined);
}
