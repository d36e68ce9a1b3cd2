/**
 * Preloaded into the daemon process (`node --import bench/probe.js dist/main.js run-once ...`): at exit
 * it writes the kernel's own account of the process — getrusage(2) via process.resourceUsage(): peak
 * RSS (ru_maxrss, no sampling gap) and user/system CPU — to the file named by BENCH_PROBE_FILE. It adds
 * one 'exit' listener and nothing else: no timers, no hooks on the daemon's code.
 *
 * Plain JavaScript on purpose: a .ts preload makes node load its type stripper (a WebAssembly module)
 * into the daemon, which added ~17 MB to the peak RSS this file exists to measure (start-up 118 → 101 MB).
 * The shape it writes is ProbeResult (processes.ts).
 */
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        maxRssKb: usage.maxRSS,
        userCpuMs: usage.userCPUTime / 1000,
        systemCpuMs: usage.systemCPUTime / 1000,
        heapUsedAtExitMb: process.memoryUsage().heapUsed / 2 ** 20,
        exitCode: code,
      }),
    );
  });
}
