// A load generator in its own process (so it shares neither the server's event loop nor its core),
// started and primed BEFORE any clock runs: `prepare` hands it the work (bodies already serialised)
// and waits for "ready"; `go` runs it and returns what the generator timed itself, from the first
// request sent to the last answer read. Keep-alive HTTP/1.1 over node:http.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Bodies to send once each, in order (POST); absent: repeat the same request until `seconds`. */
  bodies?: string[];
  /** Ids reported back with each body's result (e.g. the batch number). */
  ids?: number[];
  concurrency: number;
  seconds: number;
}

export interface LoadResult {
  elapsed: number;
  requests: number;
  failed: number;
  /** Why requests failed: HTTP status or error → count, and the first answer of each (to read the cause). */
  failures: Record<string, { count: number; first: string }>;
  /** Per request latency in ms, sorted. */
  latencies: number[];
  /** Per body (when bodies were given): id, status and parsed JSON answer. */
  answers: { id: number; status: number; body: Record<string, number> }[];
}

// ---------- child ----------
function request(agent: http.Agent, spec: LoadSpec, body: string | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(spec.url, { method: spec.method, agent, headers: { ...spec.headers, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const latencies: number[] = [];
  const answers: LoadResult['answers'] = [];
  let failed = 0;
  const failures: LoadResult['failures'] = {};
  const fail = (key: string, text: string) => {
    failed++;
    (failures[key] ??= { count: 0, first: text.slice(0, 300) }).count++;
  };
  let next = 0;
  const t0 = performance.now();
  const deadline = t0 + spec.seconds * 1000;
  async function worker() {
    while (performance.now() < deadline) {
      let body: string | undefined;
      let index = -1;
      if (spec.bodies) {
        if (next >= spec.bodies.length) return;
        index = next++;
        body = spec.bodies[index];
      }
      const s = performance.now();
      try {
        const res = await request(agent, spec, body);
        latencies.push(performance.now() - s);
        if (res.status >= 400) fail(String(res.status), res.text);
        if (index >= 0) answers.push({ id: spec.ids?.[index] ?? index, status: res.status, body: res.status === 200 ? (JSON.parse(res.text) as Record<string, number>) : {} });
      } catch (err) {
        fail((err as Error).message ?? 'error', String(err));
      }
    }
  }
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { elapsed, requests: latencies.length, failed, failures, latencies: latencies.sort((a, b) => a - b), answers };
}

const CHILD_FLAG = '--kaizen-load-generator';
if (process.argv.includes(CHILD_FLAG)) {
  let spec: LoadSpec | undefined;
  process.on('message', (m: { prepare?: LoadSpec; go?: true; exit?: true }) => {
    if (m.prepare) {
      spec = m.prepare;
      process.send!({ ready: true });
    } else if (m.go && spec) {
      run(spec).then((result) => process.send!({ result }), (err: unknown) => process.send!({ error: String((err as Error)?.stack ?? err) }));
    } else if (m.exit) process.disconnect();
  });
}

// ---------- parent ----------
export interface LoadGenerator {
  /** Hands over the work and waits until the generator holds it (nothing timed yet). */
  prepare(spec: LoadSpec): Promise<void>;
  /** Runs the prepared work; the generator times it. */
  go(): Promise<LoadResult>;
  close(): void;
}

export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { execArgv: process.execArgv, serialization: 'advanced' });
  const next = () =>
    new Promise<{ ready?: true; result?: LoadResult; error?: string }>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`load generator exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (m: { ready?: true; result?: LoadResult; error?: string }) => {
        child.off('exit', onExit);
        resolve(m);
      });
    });
  return {
    async prepare(spec) {
      const answer = next();
      child.send({ prepare: spec });
      await answer;
    },
    async go() {
      const answer = next();
      child.send({ go: true });
      const m = await answer;
      if (!m.result) throw new Error(m.error ?? 'load generator failed');
      return m.result;
    },
    close() {
      if (child.connected) child.send({ exit: true });
      setTimeout(() => child.kill(), 2000).unref();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
