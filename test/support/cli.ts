import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm test` builds first): e2e tests run exactly what a user runs. */
export const CLI = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface SpawnedCli {
  child: ChildProcess;
  /** stdout lines parsed as JSON (non-JSON lines are skipped). */
  logLines(): Array<Record<string, unknown>>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first log line whose event matches (and passes `where`). */
  waitForEvent(
    event: string,
    where?: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(args: string[], env: Record<string, string | undefined> = {}): SpawnedCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    waiters.forEach((wake) => wake());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  exited.then(() => waiters.forEach((wake) => wake()));

  const logLines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  const waitForEvent: SpawnedCli['waitForEvent'] = (event, where = () => true, timeoutMs = 20_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${event} within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)),
        timeoutMs,
      );
      const check = () => {
        const line = logLines().find((l) => l.event === event && where(l));
        if (line) {
          clearTimeout(timer);
          resolve(line);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`process exited before ${event}; stdout:\n${out}\nstderr:\n${err}`));
        }
      };
      waiters.push(check);
      check();
    });

  return { child, logLines, stdout: () => out, stderr: () => err, waitForEvent, exited };
}
