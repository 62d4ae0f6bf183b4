// One way to do each thing (issue 21), as facts about the source that a change could silently break:
// the environment is read only by src/config.ts, one rule-error class, one bring-up function, route
// files are TypeBox-typed plugins without hand-written generics and never import the app. The import
// directions between layers are dependency-cruiser's (.dependency-cruiser.cjs, `npm run lint:deps`).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
/** Files (of `dirs`) whose text matches `pattern`. */
const matching = (dirs: string[], pattern: RegExp) => dirs.flatMap(sources).filter((f) => pattern.test(read(f)));

describe('one way to do each thing', () => {
  it('only src/config.ts reads the environment (passing it on to a child process is not reading it)', () => {
    const readers = matching(['src', 'web/src', 'sdk/src'], /process\.env(\.|\[)/).filter((f) => f !== 'src/config.ts');
    expect(readers).toEqual([]);
  });

  it('activities, workflows and use cases are handed their configuration: no loadConfig() there', () => {
    const useCases = ['src/activities', 'src/workflows', 'src/domain', 'src/cycles', 'src/payouts', 'src/billing', 'src/network', 'src/engagements', 'src/clients', 'src/site'];
    expect(matching(useCases, /\bloadConfig(With)?\(/)).toEqual([]);
  });

  it('one rule-error class', () => {
    const classes = matching(['src'], /class \w*RuleError\b/);
    expect(classes).toEqual(['src/domain/errors.ts']);
    expect(read('src/domain/errors.ts').match(/class \w*RuleError\b/g)).toEqual(['class RuleError']);
  });

  it('one bring-up: the embedded servers are started only through src/infra (startStack), or by the chaos harness that kills them', () => {
    const starters = matching(['src', 'scripts', 'bench', 'test'], /\b(startEmbeddedPostgres|startTemporalDevServer)\(/).filter((f) => !f.startsWith('src/infra/'));
    expect(starters).toEqual(['src/sim/stack.ts']);
    expect(matching(['src', 'scripts', 'bench', 'test'], /export (async )?function startStack\b/)).toEqual(['src/stack.ts']);
  });

  it('route files: TypeBox-typed plugins, no hand-written route generics, no import of the app', () => {
    const routes = sources('src/api/routes');
    expect(routes.length).toBeGreaterThan(10);
    for (const f of routes) {
      const text = read(f);
      expect([f, /\.(get|post|put|patch|delete|options|route)<\s*\{/.test(text)]).toEqual([f, false]);
      expect([f, /from '\.\.\/app\.ts'/.test(text)]).toEqual([f, false]);
      expect([f, /FastifyPluginAsyncTypebox/.test(text)]).toEqual([f, true]);
    }
  });
});
