/** What a command may touch of the outside world: given by main.ts, replaced in tests. */
export interface CliIO {
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Bad command-line usage: exit 2 with the message and the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface Command {
  name: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<ExitCode>;
}
