#!/usr/bin/env node
// Process entry: the only place that reads argv and the process environment and decides the exit code.
import { runCli } from './cli/run.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
