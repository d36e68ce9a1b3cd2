/**
 * What the benchmark prints and writes: the progress line (stderr, on a terminal only), the markdown
 * table and the targets (stdout), the JSON file with every run and the machine it ran on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunResult, ScenarioResult } from './measure.ts';
import { UNLIMITED_RPS } from './scenarios.ts';

export class Progress {
  readonly #tty = process.stderr.isTTY === true;
  #shown = false;

  /** Replaces the progress line (terminals only). */
  update(text: string): void {
    if (!this.#tty) return;
    process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns ?? 120) - 1)}`);
    this.#shown = true;
  }

  /** A line that stays (terminal or not), on stderr so stdout keeps only the report. */
  line(text: string): void {
    if (this.#shown) process.stderr.write('\r\x1b[2K');
    this.#shown = false;
    process.stderr.write(`${text}\n`);
  }
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  commit: string;
  date: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
    date: new Date().toISOString(),
  };
}

const fmt = (value: number | undefined, digits = 1): string =>
  value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
const int = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? '—' : Math.round(value).toLocaleString('en-US');

/** One line per run, for the log (stderr). */
export function describeRun(name: string, index: number, total: number, r: RunResult): string {
  const ratio = r.ratio === undefined ? `${int(r.processedPerS)} req/s` : `ratio ${fmt(r.ratio, 3)}`;
  return (
    `${name} run ${index}/${total}: drain ${fmt(r.drainS, 2)} s, ${r.calls} calls, ${ratio}, ` +
    `max ${r.maxCallsInAnySecond}/s, ${r.status429} × 429, ${r.pendingLeft} pending, ${r.doubled} doubled, ` +
    `RSS ${fmt(r.peakRssMb, 0)} MB, CPU ${fmt(r.cpuMsPerRequest, 3)} ms/req (net ${fmt(r.cpuNetMsPerRequest, 3)}), sim busy ${fmt((r.simulatorBusy ?? NaN) * 100, 0)} %, ` +
    `other load ${fmt(r.otherLoad, 2)} cores` +
    (r.baselineDrainS === undefined
      ? ''
      : `; bare client ${fmt(r.baselineDrainS, 2)} s, daemon ÷ bare ${fmt(r.vsBaseline, 3)}`) +
    (r.exitCode === 0 ? '' : `, exit ${r.exitCode ?? 'timeout'}`) +
    (r.firstProblem ? `, first error: ${r.firstProblem}` : '')
  );
}

export function markdownTable(results: readonly ScenarioResult[]): string {
  const header = [
    'scenario',
    'N',
    'L (ms)',
    'server limit (/s)',
    'daemon rate / conc.',
    'runs',
    'drain (s)',
    'API calls',
    'limit (s), binds',
    'drain ÷ limit',
    'req/s',
    'max calls in 1 s',
    '429s',
    'pending left',
    'doubled',
    'peak RSS (MB)',
    'CPU ms/req (net)',
    'sim. busy',
    'other load (cores)',
  ];
  const rows = results.map(({ scenario: s, runs, summary: r }) => [
    s.name + (s.daemon.logLevel === 'info' ? ' (log info)' : ''),
    int(s.requests),
    String(s.latencyMs),
    s.serverRateLimit === undefined ? '—' : String(s.serverRateLimit),
    `${s.daemon.requestsPerSecond >= UNLIMITED_RPS ? 'max' : s.daemon.requestsPerSecond} / ${s.daemon.concurrency}`,
    String(runs.length),
    fmt(r.drainS, 2),
    int(r.calls),
    r.limitS === undefined ? '—' : `${fmt(r.limitS, 2)}, ${r.binding}`,
    fmt(r.ratio, 3),
    int(r.processedPerS),
    int(r.maxCallsInAnySecond),
    int(r.status429),
    int(r.pendingLeft),
    int(r.doubled),
    fmt(r.peakRssMb, 0),
    fmt(r.cpuNetMsPerRequest, 3),
    `${fmt((r.simulatorBusy ?? NaN) * 100, 0)} %`,
    fmt(r.otherLoad, 2),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The scenarios run beside the bare client: daemon and baseline side by side. */
export function baselineTable(results: readonly ScenarioResult[]): string | undefined {
  const rows = results.filter((r) => r.scenario.server === 'model');
  if (!rows.length) return undefined;
  const header = [
    'scenario',
    'N',
    'KB/request',
    'page size',
    'L (ms)',
    'in flight',
    'runs',
    'daemon drain (s)',
    'bare client drain (s)',
    'floor (s)',
    'daemon ÷ floor',
    'bare ÷ floor',
    'daemon ÷ bare',
    'daemon req/s',
    'bare req/s',
    'daemon CPU ms/req (net)',
    'bare CPU ms/req',
    'peak RSS (MB)',
    'of it private (MB)',
    'model busy',
    'pending left / doubled',
  ];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const body = rows.map(({ scenario: s, runs, summary: r }) =>
    line([
      s.name,
      int(s.requests),
      fmt((s.requestBytes ?? NaN) / 1024, 1),
      int(s.daemon.pageSize),
      String(s.latencyMs),
      String(s.daemon.concurrency),
      String(runs.length),
      fmt(r.drainS, 2),
      fmt(r.baselineDrainS, 2),
      r.limitS === undefined ? '—' : fmt(r.limitS, 2),
      fmt(r.ratio, 3),
      fmt(r.baselineRatio, 3),
      fmt(r.vsBaseline, 3),
      int(r.processedPerS),
      int(r.baselinePerS),
      fmt(r.cpuNetMsPerRequest, 3),
      fmt(r.baselineCpuMsPerRequest, 3),
      fmt(r.peakRssMb, 0),
      fmt(r.peakPrivateMb, 0),
      `${fmt((r.simulatorBusy ?? NaN) * 100, 0)} %`,
      `${int(r.pendingLeft)} / ${int(r.doubled)}`,
    ]),
  );
  return [line(header), line(header.map(() => '---')), ...body].join('\n');
}

export interface TargetCheck {
  target: string;
  measured: string;
  /** undefined: the scenario it needs was not run. */
  met: boolean | undefined;
}

export function checkTargets(results: readonly ScenarioResult[]): TargetCheck[] {
  const find = (name: string) => results.find((r) => r.scenario.name === name)?.summary;
  const checks: TargetCheck[] = [];
  const rate = find('rate-bound');
  checks.push({
    target: 'rate-bound: drain ÷ limit ≤ 1.05',
    measured: fmt(rate?.ratio, 3),
    met: rate && (rate.ratio ?? Infinity) <= 1.05,
  });
  const latency = find('latency-bound');
  checks.push({
    target: 'latency-bound: drain ÷ limit ≤ 1.10',
    measured: fmt(latency?.ratio, 3),
    met: latency && (latency.ratio ?? Infinity) <= 1.1,
  });
  const over = results.filter((r) => r.summary.maxCallsInAnySecond > r.scenario.daemon.requestsPerSecond);
  const bounded = results.filter((r) => r.scenario.daemon.requestsPerSecond < UNLIMITED_RPS);
  checks.push({
    target: 'never above the configured rate in any sliding 1 s window (worst run)',
    measured: bounded.length
      ? bounded
          .map(
            (r) =>
              `${r.scenario.name} ${r.summary.maxCallsInAnySecond}/${r.scenario.daemon.requestsPerSecond}`,
          )
          .join(', ')
      : '—',
    met: results.length ? over.length === 0 : undefined,
  });
  const overhead = find('overhead-bound');
  checks.push({
    target: 'overhead-bound: ≥ 2,000 processed requests/s',
    measured: overhead ? `${int(overhead.processedPerS)} req/s` : '—',
    met: overhead && overhead.processedPerS >= 2000,
  });
  const memory = find('memory');
  checks.push({
    target: `memory: peak RSS ≤ 150 MB at ${int(results.find((r) => r.scenario.name === 'memory')?.scenario.requests ?? 10_000)} pending`,
    measured: memory ? `${fmt(memory.peakRssMb, 0)} MB` : '—',
    met: memory && (memory.peakRssMb ?? Infinity) <= 150,
  });
  for (const name of ['realistic-latency', 'realistic-latency-p1000']) {
    const r = find(name);
    if (!r) continue;
    checks.push({
      target: `${name}: daemon ÷ bare client ≤ 1.05`,
      measured: fmt(r.vsBaseline, 3),
      met: (r.vsBaseline ?? Infinity) <= 1.05,
    });
    checks.push({
      target: `${name}: daemon ÷ floor (calls × L ÷ in flight) ≤ 1.10`,
      measured: fmt(r.ratio, 3),
      met: (r.ratio ?? Infinity) <= 1.1,
    });
  }
  const realOver = find('realistic-overhead');
  checks.push({
    target: 'realistic-overhead: ≥ 2,000 processed requests/s (CPU per request printed)',
    measured: realOver
      ? `${int(realOver.processedPerS)} req/s, ${fmt(realOver.cpuNetMsPerRequest, 3)} ms CPU/req (net)`
      : '—',
    met: realOver && realOver.processedPerS >= 2000,
  });
  const realMem = find('realistic-memory');
  checks.push({
    target: 'realistic-memory: peak RSS ≤ 150 MB at 10,000 pending realistic requests, page size 1,000',
    measured: realMem ? `${fmt(realMem.peakRssMb, 0)} MB` : '—',
    met: realMem && (realMem.peakRssMb ?? Infinity) <= 150,
  });
  const lost = results.reduce((n, r) => n + r.summary.pendingLeft, 0);
  const doubled = results.reduce((n, r) => n + r.summary.doubled, 0);
  const failed = results.filter((r) => r.summary.exitCode !== 0).map((r) => r.scenario.name);
  checks.push({
    target: '0 lost (left pending), 0 doubled, every run exits 0',
    measured: `${lost} pending, ${doubled} doubled${failed.length ? `, failed: ${failed.join(', ')}` : ''}`,
    met: results.length ? lost === 0 && doubled === 0 && failed.length === 0 : undefined,
  });
  return checks;
}

export function targetsMarkdown(checks: readonly TargetCheck[]): string {
  return [
    '| target | measured | met |',
    '| --- | --- | --- |',
    ...checks.map(
      (c) =>
        `| ${c.target} | ${c.measured} | ${c.met === undefined ? 'not run' : c.met ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
}

/** Figures derived from pairs of scenarios, and what binds where. */
export function notes(results: readonly ScenarioResult[]): string[] {
  const lines: string[] = [];
  const pair = ['logging-warn', 'logging-info'].map((name) => results.find((r) => r.scenario.name === name));
  const [warn, info] = pair;
  if (warn && info) {
    const perRun = (r: ScenarioResult) => r.runs.map((run) => (run.cpuNetMsPerRequest ?? NaN) * 1000);
    const [w, i] = [perRun(warn), perRun(info)];
    const cost = (info.summary.cpuNetMsPerRequest ?? NaN) - (warn.summary.cpuNetMsPerRequest ?? NaN);
    const overlap = Math.max(...w) >= Math.min(...i) && Math.max(...i) >= Math.min(...w);
    const ranges = `warn ${fmt(Math.min(...w), 0)}–${fmt(Math.max(...w), 0)} µs, info ${fmt(Math.min(...i), 0)}–${fmt(Math.max(...i), 0)} µs per request`;
    lines.push(
      overlap
        ? `Logging at info: no difference measurable above the run-to-run noise (${ranges}); see BENCHMARKS.md for the profile.`
        : `Logging at info costs ${fmt(cost * 1000, 0)} µs of daemon CPU per request (${ranges}).`,
    );
  }
  for (const { scenario, summary } of results) {
    if ((summary.simulatorBusy ?? 0) >= 0.9) {
      lines.push(
        `${scenario.name}: the simulator was busy ${fmt((summary.simulatorBusy ?? 0) * 100, 0)} % of the drain ` +
          `(${fmt(summary.simulatorCpuMsPerCall, 2)} ms CPU per call): it, not the daemon, bounds this figure.`,
      );
    }
  }
  return lines;
}

export interface Startup {
  cpuMs: number | undefined;
  peakRssMb: number | undefined;
  wallS: number;
}

/** The whole stdout report: the machine, the table, the remarks, the targets. */
export function renderReport(input: {
  machine: Machine;
  runs: number;
  nodeOptions: readonly string[];
  startup: Startup | undefined;
  results: readonly ScenarioResult[];
}): { markdown: string; targets: TargetCheck[] } {
  const { machine, runs, nodeOptions, startup, results } = input;
  const targets = checkTargets(results);
  const out: string[] = [`## Results (median of ${runs} run${runs > 1 ? 's' : ''})`, ''];
  out.push(
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB; ${machine.os}; node ${machine.node}; ` +
      `${machine.commit}; ${machine.date}${nodeOptions.length ? `; daemon launch: ${nodeOptions.join(' ')}` : ''}`,
    '',
    markdownTable(results.filter((r) => r.scenario.server !== 'model')),
  );
  const beside = baselineTable(results);
  if (beside) {
    out.push(
      '',
      '### Realistic requests on the independent Connect model, beside a bare undici client',
      '',
      beside,
    );
  }
  const disturbed = results.filter((r) => (r.summary.otherLoad ?? 0) > 0.1);
  if (disturbed.length) {
    out.push(
      '',
      `**Disturbed:** other processes used up to ${Math.max(...disturbed.map((r) => r.summary.otherLoad ?? 0)).toFixed(2)} cores ` +
        `while ${disturbed.map((r) => r.scenario.name).join(', ')} ran; rerun on a quiet machine before comparing figures.`,
    );
  }
  const remarks = [
    ...(startup
      ? [
          `Daemon start-up and exit (run-once with nothing pending): ${fmt(startup.cpuMs, 0)} ms CPU, ` +
            `${fmt(startup.peakRssMb, 0)} MB peak RSS, ${fmt(startup.wallS, 2)} s; "CPU ms/req (net)" leaves it out.`,
        ]
      : []),
    ...notes(results),
  ];
  if (remarks.length) out.push('', ...remarks.map((line) => `- ${line}`));
  out.push('', '## Targets', '', targetsMarkdown(targets));
  return { markdown: out.join('\n'), targets };
}

export function writeJson(file: string, content: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}
