import type { Logger } from 'pino';
import type { Daemon } from '../daemon/daemon.ts';
import { manageLifecycle } from '../daemon/lifecycle.ts';
import { flushLogger } from '../log.ts';
import type { ExitCode } from './io.ts';

/**
 * Starts the daemon of a long-running command (start, dev) and resolves with its exit code once a
 * signal or a crash stopped it, after `close` released what the command opened and the log is flushed.
 */
export function runUntilStopped(
  daemon: Daemon,
  log: Logger,
  graceMs: number,
  close: () => Promise<void>,
): Promise<ExitCode> {
  const exitCode = new Promise<ExitCode>((resolve) => {
    manageLifecycle({
      daemon,
      log,
      graceMs,
      beforeExit: async () => {
        await close();
        await flushLogger(log);
      },
      exit: (code) => resolve(code as ExitCode),
    });
  });
  daemon.start();
  return exitCode;
}
