#!/usr/bin/env -S node --max-semi-space-size=16
// (A 16 MB young generation: V8 would otherwise grow it towards 64+ MB on a large host, which costs
// 60-100 MB of RSS and no measurable CPU here; see BENCHMARKS.md.)
// Process entry: the only place that reads argv and the process environment and decides the exit code.
import { runCli } from './cli/run.ts';

// When the reader of our output goes away (`... | head`, a closed log pipe), every further write fails
// with EPIPE, and logging that failure fails again: stop at once instead of spinning on it.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(1);
    throw err;
  });
}

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Exit explicitly: a handler that ignored its abort signal may still hold a timer, and a stopped
// daemon must not linger for it. Logs are flushed by then (stdout/stderr writes are synchronous).
process.exit(code);
