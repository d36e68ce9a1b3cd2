/**
 * One run of a scenario: a fresh simulator process, the daemon's configuration, one `run-once` of the
 * built CLI (profiled on request), and the figures both processes report. Also the start-up run that
 * measures what the daemon costs before and after the work.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './args.ts';
import { runResult, summarize, withBaseline, type RunResult } from './measure.ts';
import {
  ALLOC_SAMPLER_URL,
  daemonLaunch,
  runBaseline,
  runDaemon,
  startModelProcess,
  startSimulatorProcess,
  type SimulatorProcess,
} from './processes.ts';
import type { Progress, Startup } from './report.ts';
import { REALISTIC_BYTES, type Scenario } from './scenarios.ts';

const HANDLER_MODULE = fileURLToPath(new URL('./approve-handler.js', import.meta.url));
/** Looks like a Connect token, so the daemon logs no configuration warning about it. */
const API_KEY = 'SU-000-000-000:bench-secret';

export async function runOnce(
  scenario: Scenario,
  run: number,
  options: BenchOptions,
  workDir: string,
  progress: Progress,
  startupCpuMs: number | undefined,
): Promise<RunResult> {
  const dir = path.join(workDir, `${scenario.name}-${run}`);
  mkdirSync(dir, { recursive: true });
  const label = `${scenario.name} run ${run}/${options.runs}`;
  progress.update(`${label}: seeding ${scenario.requests} requests…`);
  const sim = await startServer(scenario, options.keep ? path.join(dir, 'journal.txt') : undefined);
  let result: RunResult;
  try {
    const configFile = path.join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify(
        {
          connect: { url: sim.url, apiKey: API_KEY },
          poll: { pageSize: scenario.daemon.pageSize },
          rateLimit: {
            requestsPerSecond: scenario.daemon.requestsPerSecond,
            concurrency: scenario.daemon.concurrency,
          },
          processing: { concurrency: scenario.daemon.processingConcurrency },
          log: { level: scenario.daemon.logLevel, format: 'json' },
          handlers: [{ module: HANDLER_MODULE, products: sim.products }],
        },
        null,
        2,
      ),
    );
    // Both are fresh copies: the profilers' options and files are added to them below.
    const { env, nodeOptions } = daemonLaunch(options.nodeOptions);
    if (options.cpuProfDir) {
      mkdirSync(options.cpuProfDir, { recursive: true });
      nodeOptions.push(
        '--cpu-prof',
        `--cpu-prof-dir=${options.cpuProfDir}`,
        `--cpu-prof-name=${scenario.name}-${run}.cpuprofile`,
      );
    }
    if (options.allocProfDir) {
      mkdirSync(options.allocProfDir, { recursive: true });
      nodeOptions.push(`--import=${ALLOC_SAMPLER_URL}`);
      env.BENCH_ALLOC_FILE = path.join(options.allocProfDir, `${scenario.name}-${run}.heapprofile`);
    }
    const started = Date.now();
    let asking = false;
    const daemon = await runDaemon({
      configFile,
      logFile: path.join(dir, 'daemon.log'),
      errFile: path.join(dir, 'daemon.err'),
      probeFile: path.join(dir, 'probe.json'),
      nodeOptions,
      env,
      timeoutMs: timeoutFor(scenario),
      everyMs: 500,
      onTick: () => {
        if (asking) return;
        asking = true;
        sim
          .progress()
          .then(({ actions, calls }) =>
            progress.update(
              `${label}: ${actions}/${sim.pending} approved, ${calls} calls, ${((Date.now() - started) / 1000).toFixed(1)} s`,
            ),
          )
          .catch(() => {})
          .finally(() => (asking = false));
      },
    });
    const report = await sim.report();
    result = runResult(scenario, report, daemon, path.join(dir, 'daemon.log'), startupCpuMs);
  } finally {
    await sim.stop();
  }
  if (!scenario.baseline) return result;
  progress.update(`${label}: the bare client on a fresh model…`);
  const model = await startServer(
    scenario,
    options.keep ? path.join(dir, 'baseline-journal.txt') : undefined,
  );
  try {
    const baseline = await runBaseline(
      {
        url: model.url,
        apiKey: API_KEY,
        products: model.products,
        pageSize: scenario.daemon.pageSize,
        concurrency: scenario.daemon.concurrency,
      },
      timeoutFor(scenario),
    );
    return withBaseline(result, scenario, await model.report(), baseline);
  } finally {
    await model.stop();
  }
}

/** A fresh API server for one run: the simulator, or the independent Connect model with realistic requests. */
function startServer(scenario: Scenario, journalFile: string | undefined): Promise<SimulatorProcess> {
  if (scenario.server === 'model') {
    return startModelProcess({
      requests: scenario.requests,
      products: scenario.products,
      latencyMs: scenario.latencyMs,
      apiKey: API_KEY,
      requestBytes: scenario.requestBytes ?? REALISTIC_BYTES,
      journalFile,
    });
  }
  return startSimulatorProcess({
    requests: scenario.requests,
    products: scenario.products,
    latencyMs: scenario.latencyMs,
    rateLimit: scenario.serverRateLimit,
    apiKey: API_KEY,
    journalFile,
  });
}

/** The daemon's fixed cost: run-once against an empty queue (start-up, one listing call, exit). */
const STARTUP: Scenario = {
  name: 'start-up',
  description: 'run-once with nothing pending: start-up and exit',
  requests: 0,
  products: 4,
  latencyMs: 0,
  serverRateLimit: undefined,
  daemon: {
    requestsPerSecond: 10_000,
    concurrency: 16,
    processingConcurrency: 32,
    pageSize: 100,
    logLevel: 'warn',
  },
  kind: 'throughput',
};

export async function measureStartup(
  options: BenchOptions,
  workDir: string,
  progress: Progress,
): Promise<Startup> {
  const runs: RunResult[] = [];
  for (let run = 1; run <= options.runs; run++) {
    runs.push(await runOnce(STARTUP, run, options, workDir, progress, undefined));
  }
  const { summary } = summarize(STARTUP, runs);
  return { cpuMs: summary.cpuMs, peakRssMb: summary.peakRssMb, wallS: summary.wallS };
}

/** Generous: a minute plus five times the slowest the scenario should take (rate, latency, or ~500 req/s of CPU). */
function timeoutFor(s: Scenario): number {
  const rate = Math.min(s.daemon.requestsPerSecond, s.serverRateLimit ?? Infinity);
  const expectedS = Math.max(
    s.requests / rate,
    (s.requests * s.latencyMs) / 1000 / s.daemon.concurrency,
    s.requests / 500,
  );
  return 60_000 + 5 * expectedS * 1000;
}
