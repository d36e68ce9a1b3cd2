import type { Logger } from 'pino';
import type { Daemon } from './daemon.ts';

export interface LifecycleOptions {
  daemon: Daemon;
  log: Logger;
  graceMs: number;
  /** Flush logs and release resources before the process exits. */
  beforeExit: (code: number) => Promise<void>;
  /** Where the process exits; replaced in tests. */
  exit?: (code: number) => void;
}

/**
 * Process-level lifecycle for `start`: the first SIGTERM/SIGINT drains (no new cycle or request,
 * in-flight requests get `graceMs` to finish, then are aborted) and exits 0; a second signal exits at
 * once with 1. An uncaught exception or unhandled rejection means the daemon's state is unknown: it is
 * logged as fatal and the process exits 1, so the orchestrator restarts it clean.
 * Returns a function that removes the listeners.
 */
export function manageLifecycle(options: LifecycleOptions): () => void {
  const { daemon, log, graceMs, beforeExit } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(
        { event: 'daemon.stopping', signal, inFlight: daemon.inFlight, forced: true },
        `${signal} again: exiting now`,
      );
      daemon.abort();
      void beforeExit(1).finally(() => exit(1));
      return;
    }
    stopping = true;
    log.info(
      { event: 'daemon.stopping', signal, inFlight: daemon.inFlight, graceMs },
      `${signal}: stopping; ${daemon.inFlight} request(s) in flight get up to ${graceMs} ms`,
    );
    void daemon.stop(graceMs).then(async (clean) => {
      log.info(
        { event: 'daemon.stopped', clean },
        clean ? 'stopped' : 'stopped after the grace period; unfinished requests stay pending',
      );
      await beforeExit(0);
      exit(0);
    });
  };

  let crashed = false;
  const onFatal = (kind: string) => (err: unknown) => {
    // Once: if logging the crash itself fails, a second report would only loop.
    if (crashed) return;
    crashed = true;
    log.fatal(
      // A crash is the daemon's own bug: its stack, at any log level (error stacks are debug-only).
      { event: 'daemon.crashed', kind, err, stack: err instanceof Error ? err.stack : undefined },
      `${kind}: ${err instanceof Error ? err.message : String(err)}; exiting`,
    );
    daemon.abort();
    void beforeExit(1).finally(() => exit(1));
  };
  const onException = onFatal('uncaughtException');
  const onRejection = onFatal('unhandledRejection');

  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
