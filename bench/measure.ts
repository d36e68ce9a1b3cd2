/**
 * From what the simulator and the probe report to one run's figures, and from several runs to the
 * scenario's: the median of each figure, except the must-be-zero counters and the sliding-window
 * maximum, which keep the worst run (a ceiling holds in every run or it does not hold).
 */
import { readFileSync } from 'node:fs';
import type { BaselineResult } from './baseline.ts';
import type { DaemonRun } from './processes.ts';
import { physicalLimit, type Scenario } from './scenarios.ts';
import type { SimulatorReport } from './simulator.ts';

export interface RunResult {
  /** First API call's arrival to the last answer's departure, as the simulator saw them, s. */
  drainS: number;
  /** Daemon process spawn to exit (start-up, configuration, handler import and shutdown included), s. */
  wallS: number;
  calls: number;
  /** Calls the server answered other than with 429. */
  served: number;
  status429: number;
  maxCallsInAnySecond: number;
  limitS: number | undefined;
  binding: string;
  /** drainS ÷ limitS */
  ratio: number | undefined;
  /** Requests the store saw approved (actions accepted). */
  processed: number;
  processedPerS: number;
  pendingLeft: number;
  doubled: number;
  peakRssMb: number | undefined;
  /** The most private (anonymous) memory sampled, MB: peak RSS without the node binary's shared pages. */
  peakPrivateMb: number | undefined;
  cpuMs: number | undefined;
  cpuMsPerRequest: number | undefined;
  /** (CPU − the start-up run's CPU) ÷ processed: what handling a request costs, start-up and exit excluded. */
  cpuNetMsPerRequest: number | undefined;
  /** Simulator CPU ÷ drain time: near 100 % the simulator, not the daemon, is what binds. */
  simulatorBusy: number | undefined;
  /** Simulator CPU per API call, ms. */
  simulatorCpuMsPerCall: number;
  /**
   * CPU that other processes on the machine used while the daemon ran, in cores (machine busy time
   * minus daemon, simulator and benchmark, ÷ wall time). Above ~0.1 the figures are disturbed.
   */
  otherLoad: number | undefined;
  /** The bare client's run against a fresh model with the same data (scenarios with a baseline). */
  baselineDrainS: number | undefined;
  /** Baseline drain ÷ limit. */
  baselineRatio: number | undefined;
  /** Daemon drain ÷ baseline drain: the daemon's own share of the time. */
  vsBaseline: number | undefined;
  baselinePerS: number | undefined;
  baselineCpuMsPerRequest: number | undefined;
  exitCode: number | null;
  /** Daemon log lines at level error/fatal, and warn. */
  errorLines: number;
  warnLines: number;
  firstProblem: string | undefined;
}

/** From the first call's arrival to the last answer, as the server's journal saw them (NaN without calls). */
function drainSeconds(sim: SimulatorReport): number {
  return sim.firstArrivalAt !== undefined && sim.lastAnswerAt !== undefined
    ? (sim.lastAnswerAt - sim.firstArrivalAt) / 1000
    : NaN;
}

export function runResult(
  scenario: Scenario,
  sim: SimulatorReport,
  daemon: DaemonRun,
  logFile: string,
  startupCpuMs: number | undefined,
): RunResult {
  const drainS = drainSeconds(sim);
  const served = sim.calls - sim.status429;
  const limit = physicalLimit(scenario, served);
  const cpuMs = daemon.probe ? daemon.probe.userCpuMs + daemon.probe.systemCpuMs : undefined;
  const peakKb = daemon.probe?.maxRssKb ?? daemon.sampledPeakRssKb;
  const log = scanLog(logFile);
  return {
    drainS,
    wallS: (daemon.endedAt - daemon.startedAt) / 1000,
    calls: sim.calls,
    served,
    status429: sim.status429,
    maxCallsInAnySecond: sim.maxCallsInAnySecond,
    limitS: limit.seconds,
    binding: limit.binding,
    ratio: limit.seconds ? drainS / limit.seconds : undefined,
    processed: sim.actionsAccepted,
    processedPerS: sim.actionsAccepted / drainS,
    pendingLeft: sim.pendingLeft,
    doubled: sim.doubled,
    peakRssMb: peakKb === undefined ? undefined : peakKb / 1024,
    peakPrivateMb: daemon.sampledPeakAnonKb === undefined ? undefined : daemon.sampledPeakAnonKb / 1024,
    cpuMs,
    cpuMsPerRequest: cpuMs !== undefined && sim.actionsAccepted > 0 ? cpuMs / sim.actionsAccepted : undefined,
    cpuNetMsPerRequest:
      cpuMs !== undefined && startupCpuMs !== undefined && sim.actionsAccepted > 0
        ? (cpuMs - startupCpuMs) / sim.actionsAccepted
        : undefined,
    simulatorBusy: drainS > 0 ? sim.cpuMs / (drainS * 1000) : undefined,
    simulatorCpuMsPerCall: sim.calls > 0 ? sim.cpuMs / sim.calls : NaN,
    otherLoad:
      daemon.machineBusyMs === undefined || cpuMs === undefined
        ? undefined
        : Math.max(0, daemon.machineBusyMs - cpuMs - sim.cpuMs - daemon.benchCpuMs) /
          (daemon.endedAt - daemon.startedAt),
    baselineDrainS: undefined,
    baselineRatio: undefined,
    vsBaseline: undefined,
    baselinePerS: undefined,
    baselineCpuMsPerRequest: undefined,
    exitCode: daemon.timedOut ? null : daemon.exitCode,
    ...log,
  };
}

/** The run's figures with the bare client's beside them (its drain from the model's journal, as the daemon's). */
export function withBaseline(
  result: RunResult,
  scenario: Scenario,
  sim: SimulatorReport,
  baseline: BaselineResult,
): RunResult {
  const drainS = drainSeconds(sim);
  const limit = physicalLimit(scenario, sim.calls - sim.status429);
  return {
    ...result,
    baselineDrainS: drainS,
    baselineRatio: limit.seconds ? drainS / limit.seconds : undefined,
    vsBaseline: result.drainS / drainS,
    baselinePerS: sim.actionsAccepted / drainS,
    baselineCpuMsPerRequest: sim.actionsAccepted > 0 ? baseline.cpuMs / sim.actionsAccepted : undefined,
  };
}

/** Counts the daemon's warn and error lines (JSON lines; anything else counts as a problem). */
function scanLog(file: string): Pick<RunResult, 'errorLines' | 'warnLines' | 'firstProblem'> {
  let errorLines = 0;
  let warnLines = 0;
  let firstProblem: string | undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { errorLines, warnLines, firstProblem: 'no daemon log' };
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let level: unknown;
    let message = line;
    try {
      const parsed = JSON.parse(line) as { level?: unknown; msg?: unknown; event?: unknown };
      level = parsed.level;
      message = `${String(parsed.event ?? '')}: ${String(parsed.msg ?? '')}`;
    } catch {
      level = 'error';
    }
    if (level === 'error' || level === 'fatal') {
      errorLines++;
      firstProblem ??= message.slice(0, 200);
    } else if (level === 'warn') {
      warnLines++;
    }
  }
  return { errorLines, warnLines, firstProblem };
}

export interface ScenarioResult {
  scenario: Scenario;
  runs: RunResult[];
  /** Medians (worst run for pendingLeft, doubled, maxCallsInAnySecond, errorLines; the first failing exit code). */
  summary: RunResult;
}

const WORST: ReadonlyArray<keyof RunResult> = [
  'pendingLeft',
  'doubled',
  'maxCallsInAnySecond',
  'errorLines',
  'otherLoad',
];

export function summarize(scenario: Scenario, runs: RunResult[]): ScenarioResult {
  const first = runs[0]!;
  const summary = { ...first } as Record<string, unknown>;
  for (const key of Object.keys(first) as Array<keyof RunResult>) {
    const values = runs.map((r) => r[key]);
    if (WORST.includes(key)) summary[key] = Math.max(...(values as number[]));
    else if (values.every((v) => typeof v === 'number' && Number.isFinite(v)))
      summary[key] = median(values as number[]);
  }
  summary.exitCode = runs.find((r) => r.exitCode !== 0)?.exitCode ?? 0;
  summary.firstProblem = runs.find((r) => r.firstProblem)?.firstProblem;
  return { scenario, runs, summary: summary as unknown as RunResult };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
