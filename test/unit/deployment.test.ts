// No Docker engine runs here, so the deployment is checked as text against the code it deploys:
// docker-compose.yml passes every setting production refuses to start without, runs the PostgreSQL
// major the schema needs and a Temporal whose schema Temporal's own tool sets up (no auto-setup), and
// the Dockerfile runs compiled JavaScript on a current Node LTS with Chromium only in the render image.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PRODUCTION_SETTINGS } from '../../src/config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, any> };
const services = compose.services;
const dockerfile = read('Dockerfile');
/** Stages of the Dockerfile: name → its lines. */
const stages = new Map<string, string[]>();
{
  let current = '';
  for (const line of dockerfile.split('\n')) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.set((current = from[1] ?? `#${stages.size}`), []);
    if (current) stages.get(current)!.push(line);
  }
}
const APP_SERVICES = ['migrate', 'api', 'worker', 'render-worker'];
/** The CLI's command table (src/cli/main.ts `commands`). */
const cliSource = read('src/cli/main.ts');

describe('docker-compose.yml', () => {
  it('runs PostgreSQL 18 or newer (ingest uses RETURNING old/new)', () => {
    const major = Number(/^postgres:(\d+)/.exec(services.postgres.image)?.[1]);
    expect(major).toBeGreaterThanOrEqual(18);
  });

  it("sets Temporal's schema up with Temporal's own admin tools, not the deprecated auto-setup image", () => {
    for (const [name, s] of Object.entries(services)) expect(String(s.image ?? ''), name).not.toMatch(/auto-setup/);
    const schema = Object.values(services).find((s: any) => /admin-tools/.test(s.image ?? '') && /update-schema/.test(JSON.stringify(s.command)));
    expect(schema, 'a service running temporal-sql-tool update-schema').toBeDefined();
    expect(services.temporal.image).toMatch(/^temporalio\/server:\d+\.\d+/);
    expect(Object.keys(services.temporal.depends_on)).toContain(Object.entries(services).find(([, s]) => s === schema)![0]);
  });

  it('passes every production setting, NODE_ENV=production and the external services to each app process', () => {
    for (const name of APP_SERVICES) {
      const env = services[name]?.environment as Record<string, unknown> | undefined;
      expect(env, name).toBeDefined();
      for (const [setting] of PRODUCTION_SETTINGS) expect(env![setting], `${name}: ${setting}`).toBeTruthy();
      expect(env!.NODE_ENV, name).toBe('production');
      expect(String(env!.DATABASE_URL), name).toMatch(/^postgres(ql)?:\/\/[^@]+@postgres:5432\//);
      expect(env!.TEMPORAL_ADDRESS, name).toBe('temporal:7233');
    }
  });

  it('runs each app process with a command the CLI has, migrations first', () => {
    for (const name of APP_SERVICES) {
      const [command] = services[name].command as string[];
      expect(cliSource, `${name}: ${command}`).toMatch(new RegExp(`^\\s+'?${command}'?: async \\(\\) =>`, 'm'));
      if (name !== 'migrate') expect(services[name].depends_on.migrate.condition, name).toBe('service_completed_successfully');
    }
  });

  it("points the Temporal UI at the app's codec endpoint", () => {
    expect(String(services['temporal-ui'].environment.TEMPORAL_CODEC_ENDPOINT)).toMatch(/\/codec$/);
  });
});

describe('Dockerfile', () => {
  it('builds on a Node LTS of 22 or newer', () => {
    const image = /ARG NODE_IMAGE=node:(\d+)/.exec(dockerfile)?.[1];
    expect(Number(image)).toBeGreaterThanOrEqual(22);
  });

  it('compiles in a build stage and runs compiled JavaScript, no TypeScript at run time', () => {
    const build = stages.get('build')!.join('\n');
    expect(build).toMatch(/RUN npm run build/);
    expect(JSON.parse(read('package.json')).scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
    expect(JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')).compilerOptions.outDir).toBe('dist');
    const app = stages.get('app')!.join('\n');
    expect(app).toMatch(/ENTRYPOINT \["node", "dist\/cli\/main\.js"\]/);
    expect(app).not.toMatch(/tsx|\.ts\b/);
  });

  it('copies every folder the server reads at run time: the compiled server, the built web app, the SDK', () => {
    const app = stages.get('app')!.join('\n');
    for (const folder of ['dist', 'web/dist', 'sdk', 'node_modules']) expect(app, folder).toMatch(new RegExp(`COPY --from=build /app/${folder} \\./${folder}`));
    // What src resolves from import.meta.url outside src: each must be among the copied folders.
    expect(read('src/api/web.ts')).toMatch(/'\.\.\/\.\.\/web\/dist'/);
    expect(read('src/site/sdk-build.ts')).toMatch(/'\.\.\/\.\.\/sdk\/src\/index\.ts'/);
  });

  it('installs Chromium in the render-worker image only', () => {
    expect(stages.get('render-worker')!.join('\n')).toMatch(/apt-get install[^\n]*chromium/);
    for (const name of ['build', 'app']) expect(stages.get(name)!.join('\n'), name).not.toMatch(/chromium/i);
    expect(services['render-worker'].build.target).toBe('render-worker');
    expect(services.migrate.build.target).toBe('app');
  });

  it('has the files its COPY lines name', () => {
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) for (const f of m[1]!.split(/\s+/)) expect(existsSync(path.join(ROOT, f)), f).toBe(true);
  });
});
