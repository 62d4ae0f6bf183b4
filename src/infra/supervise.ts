// Keeps an embedded server (Postgres, the Temporal dev server) running for the process that started
// it: when it dies it is started again on the same data and port, after a backoff that doubles while
// it keeps dying (1 s → 30 s), each step logged. A server that exits cleanly was asked to stop (Ctrl-C
// reaches it directly, being in our process group) and is left alone. stop() ends the supervision and
// stops the server within a bounded time, whatever state it is in.
import type { Logger } from 'pino';

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  /** Resolves once the server's process has exited, for whatever reason. */
  exited: Promise<ServerExit>;
  stop(): Promise<void>;
}

export interface SupervisionOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface Supervised<T> {
  /** The running server, undefined while it is down. */
  current(): T | undefined;
  stop(): Promise<void>;
}

/** Resolves with `fn`'s result, or undefined after `ms` (the work goes on unobserved). */
export async function within<T>(ms: number, fn: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([fn(), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a server with `start` and restarts it whenever it dies abnormally. `start` receives a signal
 * that aborts when supervision stops, so a restart in progress gives up instead of delaying shutdown.
 */
export async function supervise<T extends ServerProcess>(
  service: string,
  start: (signal: AbortSignal) => Promise<T>,
  log: Logger,
  opts: SupervisionOptions = {},
): Promise<Supervised<T>> {
  const initialDelay = opts.initialDelayMs ?? 1_000;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  const slog = log.child({ service });
  const stopping = new AbortController();
  let current: T | undefined;
  let delay = initialDelay;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;
  let restarts = 0;

  const watch = (server: T) => {
    const startedAt = Date.now();
    void server.exited.then((exit) => {
      if (stopping.signal.aborted || server !== current) return;
      current = undefined;
      if (exit.code === 0 && exit.signal === null) {
        slog.info('server exited cleanly; not restarting it');
        return;
      }
      // A server that ran for a while starts over at the shortest delay.
      if (Date.now() - startedAt > maxDelay) delay = initialDelay;
      slog.warn({ ...exit, restartInMs: delay }, `${service} died; restarting it`);
      schedule();
    });
  };

  const schedule = () => {
    timer = setTimeout(() => {
      timer = undefined;
      restarting = (async () => {
        try {
          const server = await start(stopping.signal);
          if (stopping.signal.aborted) return void (await server.stop());
          current = server;
          restarts++;
          slog.warn({ restarts }, `${service} restarted`);
          watch(server);
        } catch (err) {
          if (stopping.signal.aborted) return;
          slog.error({ err: err instanceof Error ? err.message : String(err), retryInMs: Math.min(delay * 2, maxDelay) }, `${service} restart failed; trying again`);
          delay = Math.min(delay * 2, maxDelay);
          schedule();
          return;
        }
        delay = Math.min(delay * 2, maxDelay);
      })();
    }, delay);
  };

  current = await start(stopping.signal);
  watch(current);
  return {
    current: () => current,
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await restarting;
      await current?.stop();
      current = undefined;
    },
  };
}
