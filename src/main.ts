#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8
// Process entry: the only place that reads argv and the process environment and decides the exit code.
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

// First of all, the Node version: on an old Node the CLI's modules would fail with a stack trace
// (missing APIs, type stripping), so they are imported only after this one-line check passed.
createRequire(import.meta.url)('../bin/check-node.cjs');
const { runCli } = await import('./cli/run.ts');
const { resolvePackageNameToSelf } = await import('./package-resolution.ts');

// Handler modules outside this package import it by name (see package-resolution.ts).
resolvePackageNameToSelf();

// Memory: V8 sizes its heap for the host, not for a daemon whose live heap is ~25 MB. The young
// generation is capped on the command line above (8 MB semi-spaces; V8 would grow them to 64 MB on a
// large host), and here the old generation may grow by half its live size between full GCs instead
// of up to 4x: 10,000 pending requests peak at ~140 MB instead of ~200 MB, for ~10 % more CPU per
// request, which a daemon paced by the API's rate limit does not feel (BENCHMARKS.md, "Memory").
// This flag works at run time; the semi-space size does not, hence the shebang (and NODE_OPTIONS in
// the Dockerfile). MALLOC_ARENA_MAX=2 is set there too, for the same reason: glibc reads it before
// any code of ours runs. Without it glibc gives each thread that mallocs (V8's GC helpers, libuv's
// pool) an arena of its own, up to 8 per core, and their fragments were ~8 MB of a ~145 MB peak.
setFlagsFromString('--heap-growing-percent=50');

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
