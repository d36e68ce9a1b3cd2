import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

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

export interface SpawnOptions {
  cwd?: string;
  /** The process crashes on purpose (a bug simulated by the test): its stack frames are expected. */
  stackExpected?: boolean;
}

/** Every process spawned by this test file, for `itPrintsNoStackFrames`. */
const spawned: Array<{ what: string; cli: SpawnedCli; stackExpected: boolean }> = [];

export function spawnCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: SpawnOptions = {},
): SpawnedCli {
  return spawnCommand(process.execPath, [CLI, ...args], env, options);
}

/** Any command (npm, another node), watched like the CLI; the environment is `env` and PATH only. */
export function spawnCommand(
  command: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  options: SpawnOptions = {},
): SpawnedCli {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, LOG_FORMAT: 'json', ...env },
    cwd: options.cwd,
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

  const cli = { child, logLines, stdout: () => out, stderr: () => err, waitForEvent, exited };
  const what = [command === process.execPath ? 'node' : command, ...args].join(' ');
  spawned.push({ what, cli, stackExpected: options.stackExpected === true });
  return cli;
}

/** A stack frame as V8 prints it, raw or inside a JSON string: `    at fn (file.js:1:2)`. */
const STACK_FRAME = /(?:^|\n|\\n)\s+at \S[^\n]*?:\d+:\d+\)?/;

/**
 * The last test of an e2e file: no process it spawned printed a stack frame, on stdout or stderr, at
 * the default log level (a user's mistake is one line naming it), except those that crash on purpose.
 */
export function itPrintsNoStackFrames(): void {
  // In a describe of its own: jest runs a file's top-level tests before its describe blocks.
  describe('error output', () =>
    it('printed no stack frame in any output of the processes above', async () => {
      const checked = spawned.filter((entry) => !entry.stackExpected);
      await Promise.all(checked.map((entry) => entry.cli.exited));
      const offenders = checked.flatMap(({ what, cli }) => {
        const frame = STACK_FRAME.exec(`${cli.stdout()}\n${cli.stderr()}`);
        return frame ? [`${what}: ${frame[0].trim()}`] : [];
      });
      expect(checked.length).toBeGreaterThan(0);
      expect(offenders).toEqual([]);
    }));
}
