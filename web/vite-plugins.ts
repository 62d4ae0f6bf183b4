// Build plugins of the web app: a page's metadata without its code (route-level splitting keeps
// "adding a page is one file"), and brotli + gzip files beside each asset (served pre-compressed).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import ts from 'typescript';
import type { Plugin } from 'vite';

/**
 * `import.meta.glob('../pages/*.tsx', { query: '?meta' })` gets each page file's `export const page = {…}`
 * alone — its path, `can` and nav entry — so the shell knows every route while the page's component stays
 * in its own chunk, loaded when the route is visited. A `Component` property (the older pattern) is left
 * out; any other value must be a literal, since the meta module carries none of the file's imports.
 */
export function pageMeta(): Plugin {
  return {
    name: 'kaizen-page-meta',
    enforce: 'pre',
    load(id) {
      const [file, query] = id.split('?');
      if (query !== 'meta' || !file) return null;
      return extractPageMeta(file, readFileSync(file, 'utf8'));
    },
  };
}

export function extractPageMeta(file: string, code: string): string {
  const sf = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st) || !st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || d.name.text !== 'page' || !d.initializer) continue;
      let init: ts.Expression = d.initializer;
      while (ts.isSatisfiesExpression(init) || ts.isAsExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (!ts.isObjectLiteralExpression(init)) throw new Error(`${file}: \`page\` must be an object literal`);
      const props = init.properties.filter((p) => !(p.name && ts.isIdentifier(p.name) && p.name.text === 'Component'));
      for (const p of props) assertLiteral(file, p);
      return `export const page = { ${props.map((p) => p.getText(sf)).join(', ')} };\n`;
    }
  }
  // Not a page (e.g. a helper beside the pages): no meta.
  return 'export const page = undefined;\n';
}

/** No reference to anything else in the file: a name may only be a property's own name. */
function assertLiteral(file: string, node: ts.Node): void {
  const named = ts.isPropertyAssignment(node.parent) && node.parent.name === node;
  if ((ts.isIdentifier(node) && !named) || ts.isShorthandPropertyAssignment(node) || ts.isSpreadAssignment(node) || ts.isCallExpression(node)) {
    throw new Error(`${file}: \`page\` may hold only literals (path, can, nav) besides Component; found \`${node.getText()}\``);
  }
  ts.forEachChild(node, (c) => assertLiteral(file, c));
}

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt)$/;

/** After the build: `<asset>.br` and `<asset>.gz` beside every text asset (served by @fastify/static's preCompressed). */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'kaizen-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = path.resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      if (process.env.KAIZEN_WEB_PRECOMPRESS === '0') return;
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const f of walk(outDir)) {
        if (!COMPRESSIBLE.test(f)) continue;
        try {
          const raw = readFileSync(f);
          writeFileSync(`${f}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
          writeFileSync(`${f}.gz`, gzipSync(raw, { level: 9 }));
        } catch (err) {
          // Another build into the same folder (a second checkout's tests) emptied it meanwhile: its own
          // build writes its files' siblings.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    },
  };
}

/**
 * `<link rel="modulepreload">` for the default language's catalogue (Japanese): it downloads beside the
 * entry instead of after it has run (one round trip less for most readers; an English reader gets ~15 kB
 * it does not use).
 */
export function preloadCatalogue(lang: string): Plugin {
  return {
    name: 'kaizen-preload-catalogue',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith(`/i18n/${lang}.json`));
        return chunk ? [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `/${chunk.fileName}` }, injectTo: 'head' }] : [];
      },
    },
  };
}

