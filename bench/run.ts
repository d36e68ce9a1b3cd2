/**
 * `npm run bench`: how fast the daemon moves pending requests out of the queue, against what the API
 * allows. Per scenario and run: a fresh simulator process seeded with N pending requests, one run of
 * the built CLI's `run-once` with a handler that approves everything, then the simulator's counters
 * and the daemon's own resource use. See BENCHMARKS.md.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { USAGE, listScenarios, parseBenchArgs } from './args.ts';
import { summarize, type RunResult, type ScenarioResult } from './measure.ts';
import { CLI_ENTRY, daemonLaunch } from './processes.ts';
import { Progress, describeMachine, describeRun, renderReport, writeJson, type Startup } from './report.ts';
import { measureStartup, runOnce } from './runner.ts';
import { selectScenarios } from './scenarios.ts';

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
  let finished = false;
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
    finished = true;
  } finally {
    if (options.keep || failed || !finished)
      progress.line(`work folder (configurations, daemon logs): ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }

  const launch = daemonLaunch(options.nodeOptions);
  // The daemon's launch as the report names it: the shebang's environment, then the node options.
  const nodeOptions = [
    ...Object.entries(launch.env).map(([name, value]) => `${name}=${value}`),
    ...launch.nodeOptions,
  ];
  const { markdown, targets } = renderReport({ machine, runs: options.runs, nodeOptions, startup, results });
  console.log(markdown);
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
