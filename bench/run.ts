/**
 * `npm run bench`: how fast the daemon moves pending requests out of the queue, against what the API
 * allows. Per scenario and run: a fresh simulator process seeded with N pending requests, one run of
 * the built CLI's `run-once` with a handler that approves everything, then the simulator's counters
 * and the daemon's own resource use. See BENCHMARKS.md.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, listScenarios, parseBenchArgs, type BenchOptions } from './args.ts';
import { runResult, summarize, type RunResult, type ScenarioResult } from './measure.ts';
import {
  ALLOC_SAMPLER_URL,
  CLI_ENTRY,
  runDaemon,
  shebangNodeOptions,
  startSimulatorProcess,
} from './processes.ts';
import {
  Progress,
  checkTargets,
  notes,
  describeMachine,
  describeRun,
  markdownTable,
  targetsMarkdown,
  writeJson,
} from './report.ts';
import { selectScenarios, type Scenario } from './scenarios.ts';

const HANDLER_MODULE = fileURLToPath(new URL('./approve-handler.js', import.meta.url));
/** Looks like a Connect token, so the daemon logs no configuration warning about it. */
const API_KEY = 'SU-000-000-000:bench-secret';

async function runOnce(
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
  const sim = await startSimulatorProcess({
    requests: scenario.requests,
    products: scenario.products,
    latencyMs: scenario.latencyMs,
    rateLimit: scenario.serverRateLimit,
    apiKey: API_KEY,
    journalFile: options.keep ? path.join(dir, 'journal.txt') : undefined,
  });
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
    const nodeOptions = [...shebangNodeOptions(), ...options.nodeOptions];
    if (options.cpuProfDir) {
      mkdirSync(options.cpuProfDir, { recursive: true });
      nodeOptions.push(
        '--cpu-prof',
        `--cpu-prof-dir=${options.cpuProfDir}`,
        `--cpu-prof-name=${scenario.name}-${run}.cpuprofile`,
      );
    }
    const env: Record<string, string> = {};
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
    return runResult(scenario, report, daemon, path.join(dir, 'daemon.log'), startupCpuMs);
  } finally {
    await sim.stop();
  }
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

export interface Startup {
  cpuMs: number | undefined;
  peakRssMb: number | undefined;
  wallS: number;
}

async function measureStartup(options: BenchOptions, workDir: string, progress: Progress): Promise<Startup> {
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

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.list) {
    console.log(listScenarios());
    return 0;
  }
  const scenarios = selectScenarios(options.scenarios, options.overrides);
  if (!existsSync(CLI_ENTRY)) {
    console.error(
      `${path.relative(process.cwd(), CLI_ENTRY)} is missing: run npm run build first (npm run bench does).`,
    );
    return 2;
  }
  const machine = describeMachine();
  const progress = new Progress();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'connect-fulfillment-bench-'));
  progress.line(
    `bench: ${scenarios.map((s) => s.name).join(', ')}; ${options.runs} run(s) each; ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`,
  );
  const results: ScenarioResult[] = [];
  let failed = false;
  let startup: Startup | undefined;
  try {
    startup = await measureStartup(options, workDir, progress);
    progress.line(
      `start-up (run-once, nothing pending): ${startup.cpuMs?.toFixed(0)} ms CPU, ${startup.peakRssMb?.toFixed(0)} MB peak RSS, ${startup.wallS.toFixed(2)} s`,
    );
    for (const scenario of scenarios) {
      const runs: RunResult[] = [];
      for (let run = 1; run <= options.runs; run++) {
        const result = await runOnce(scenario, run, options, workDir, progress, startup.cpuMs);
        runs.push(result);
        progress.line(describeRun(scenario.name, run, options.runs, result));
        if (result.exitCode !== 0 || result.pendingLeft > 0 || result.doubled > 0) failed = true;
      }
      results.push(summarize(scenario, runs));
    }
  } finally {
    if (options.keep || failed) progress.line(`work folder (configurations, daemon logs): ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }

  const targets = checkTargets(results);
  const nodeOptions = [...shebangNodeOptions(), ...options.nodeOptions];
  console.log(`## Results (median of ${options.runs} run${options.runs > 1 ? 's' : ''})\n`);
  console.log(
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB; ${machine.os}; node ${machine.node}; ${machine.commit}; ${machine.date}` +
      `${nodeOptions.length ? `; daemon node options: ${nodeOptions.join(' ')}` : ''}\n`,
  );
  console.log(markdownTable(results));
  const disturbed = results.filter((r) => (r.summary.otherLoad ?? 0) > 0.1);
  if (disturbed.length) {
    console.log(
      `\n**Disturbed:** other processes used up to ${Math.max(...disturbed.map((r) => r.summary.otherLoad ?? 0)).toFixed(2)} cores ` +
        `while ${disturbed.map((r) => r.scenario.name).join(', ')} ran; rerun on a quiet machine before comparing figures.`,
    );
  }
  const remarks = [
    ...(startup
      ? [
          `Daemon start-up and exit (run-once with nothing pending): ${startup.cpuMs?.toFixed(0)} ms CPU, ` +
            `${startup.peakRssMb?.toFixed(0)} MB peak RSS, ${startup.wallS.toFixed(2)} s; "CPU ms/req (net)" leaves it out.`,
        ]
      : []),
    ...notes(results),
  ];
  if (remarks.length) console.log(`\n${remarks.map((line) => `- ${line}`).join('\n')}`);
  console.log('\n## Targets\n');
  console.log(targetsMarkdown(targets));
  writeJson(options.json, {
    machine,
    runsPerScenario: options.runs,
    daemonNodeOptions: nodeOptions,
    startup,
    targets,
    scenarios: results,
  });
  progress.line(`results: ${path.relative(process.cwd(), options.json)}`);
  // Timing figures are reported, never asserted; a lost or doubled request, or a failed run, is an error.
  return failed ? 1 : 0;
}

process.exitCode = await main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  return 2;
});
