/**
 * Preloaded into the daemon process (`node --import bench/probe.ts dist/main.js run-once ...`): at exit
 * it writes the kernel's own account of the process — getrusage(2) via process.resourceUsage(): peak
 * RSS (ru_maxrss, no sampling gap) and user/system CPU — to the file named by BENCH_PROBE_FILE. It adds
 * one 'exit' listener and nothing else: no timers, no hooks on the daemon's code.
 */
import { writeFileSync } from 'node:fs';

export interface ProbeResult {
  /** Peak resident set size over the process's life, kB. */
  maxRssKb: number;
  userCpuMs: number;
  systemCpuMs: number;
  /** V8 heap at exit, for orientation (not a peak). */
  heapUsedAtExitMb: number;
  exitCode: number;
}

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    const result: ProbeResult = {
      maxRssKb: usage.maxRSS,
      userCpuMs: usage.userCPUTime / 1000,
      systemCpuMs: usage.systemCPUTime / 1000,
      heapUsedAtExitMb: process.memoryUsage().heapUsed / 2 ** 20,
      exitCode: code,
    };
    writeFileSync(file, JSON.stringify(result));
  });
}
