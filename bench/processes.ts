/**
 * The two processes of a run: the simulator (forked with an IPC channel) and the daemon (the built
 * CLI's `run-once`, with bench/probe.js preloaded to report its peak RSS and CPU at exit). Every wait
 * here has a deadline; a process that overstays it is killed.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BaselineArgs, BaselineResult } from './baseline.ts';
import type { ModelArgs } from './connect-model/process.ts';
import type { SimulatorArgs, SimulatorReport } from './simulator.ts';

/** What bench/probe.js writes at the daemon's exit. */
export interface ProbeResult {
  /** Peak resident set size over the process's life, kB. */
  maxRssKb: number;
  userCpuMs: number;
  systemCpuMs: number;
  /** V8 heap at exit, for orientation (not a peak). */
  heapUsedAtExitMb: number;
  exitCode: number;
}

const SIMULATOR_ENTRY = fileURLToPath(new URL('./simulator.ts', import.meta.url));
const MODEL_ENTRY = fileURLToPath(new URL('./connect-model/process.ts', import.meta.url));
const BASELINE_ENTRY = fileURLToPath(new URL('./baseline.ts', import.meta.url));
const PROBE_URL = pathToFileURL(fileURLToPath(new URL('./probe.js', import.meta.url))).href;
export const ALLOC_SAMPLER_URL = pathToFileURL(
  fileURLToPath(new URL('./alloc-sampler.ts', import.meta.url)),
).href;
export const CLI_ENTRY = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/**
 * How the CLI's own first line starts node (`#!/usr/bin/env -S NAME=value node --flag ...`): the
 * environment it sets and the node options it passes, so that the daemon runs here as its bin runs
 * it; none of either for a plain `#!/usr/bin/env node`.
 */
function shebangLaunch(): { env: Record<string, string>; nodeOptions: string[] } {
  const first = readFileSync(CLI_ENTRY, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\S*\benv\s+-S\s+(.+)$/.exec(first.trim());
  const words = match ? match[1]!.split(/\s+/).filter(Boolean) : [];
  const node = words.indexOf('node');
  const env = Object.fromEntries(
    words.slice(0, Math.max(node, 0)).map((word) => {
      const eq = word.indexOf('=');
      return [word.slice(0, eq), word.slice(eq + 1)];
    }),
  );
  return { env, nodeOptions: node < 0 ? [] : words.slice(node + 1) };
}

/** The daemon's launch for a run: the shebang's environment and node options, then the bench's own options. */
export function daemonLaunch(extraNodeOptions: readonly string[]): {
  env: Record<string, string>;
  nodeOptions: string[];
} {
  const launch = shebangLaunch();
  return { env: launch.env, nodeOptions: [...launch.nodeOptions, ...extraNodeOptions] };
}

export interface SimulatorProcess {
  url: string;
  products: string[];
  pending: number;
  pid: number;
  progress(): Promise<{ calls: number; actions: number }>;
  report(): Promise<SimulatorReport>;
  stop(): Promise<void>;
}

export function startSimulatorProcess(args: SimulatorArgs, timeoutMs = 60_000): Promise<SimulatorProcess> {
  return startServerProcess(SIMULATOR_ENTRY, args, timeoutMs);
}

/** The independent Connect model (bench/connect-model/), with the simulator's IPC protocol. */
export function startModelProcess(args: ModelArgs, timeoutMs = 60_000): Promise<SimulatorProcess> {
  return startServerProcess(MODEL_ENTRY, args, timeoutMs);
}

/** The bare-undici baseline against `args.url`, in its own process; rejects after `timeoutMs`. */
export async function runBaseline(args: BaselineArgs, timeoutMs: number): Promise<BaselineResult> {
  const child = fork(BASELINE_ENTRY, [JSON.stringify(args)], {
    execArgv: [],
    stdio: ['ignore', 2, 'inherit', 'ipc'],
  });
  try {
    return (await nextMessage<{ result: BaselineResult }>(child, 'done', timeoutMs)).result;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

async function startServerProcess(
  entry: string,
  args: SimulatorArgs | ModelArgs,
  timeoutMs: number,
): Promise<SimulatorProcess> {
  const child = fork(entry, [JSON.stringify(args)], {
    execArgv: [],
    stdio: ['ignore', 2, 'inherit', 'ipc'], // its output, if any, must not mix with the report on stdout
  });
  const ready = await nextMessage<{ url: string; products: string[]; pending: number }>(
    child,
    'ready',
    timeoutMs,
  ).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  const ask = <T>(type: string, ms: number) => {
    const answer = nextMessage<T>(child, type, ms);
    child.send({ type });
    return answer;
  };
  return {
    ...ready,
    pid: child.pid!,
    progress: () => ask<{ calls: number; actions: number }>('progress', 5_000),
    report: async () => (await ask<{ report: SimulatorReport }>('report', 60_000)).report,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = exitOf(child);
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The next IPC message of `type` from `child`, or a rejection when it exits or the deadline passes. */
function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: { type?: string }) => {
      if (message.type !== type) return;
      done();
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`child process exited (${signal ?? code}) before answering '${type}'`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`child process did not answer '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

export interface DaemonRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Spawn to exit, ms since the epoch. */
  startedAt: number;
  endedAt: number;
  probe: ProbeResult | undefined;
  /** From /proc/PID/status (VmHWM) while it ran: a cross-check, and the figure when the probe is missing. */
  sampledPeakRssKb: number | undefined;
  /**
   * The most private memory seen (/proc/PID/status RssAnon, every 100 ms): the part of the RSS that
   * is the daemon's own. The rest is mostly the node binary's pages, file-backed and shared.
   */
  sampledPeakAnonKb: number | undefined;
  /** CPU the whole machine spent while the daemon ran (Linux /proc/stat), ms; undefined elsewhere. */
  machineBusyMs: number | undefined;
  /** CPU this (the benchmark's) process spent meanwhile, ms. */
  benchCpuMs: number;
}

export interface DaemonOptions {
  configFile: string;
  /** The daemon's stdout (its log) and stderr go to these files. */
  logFile: string;
  errFile: string;
  probeFile: string;
  /** Extra node options for the daemon (--cpu-prof, --max-semi-space-size=...). */
  nodeOptions: readonly string[];
  /** Extra environment for the daemon (the profilers' output files). */
  env?: Record<string, string>;
  timeoutMs: number;
  /** Called every `everyMs` while the daemon runs (the progress line). */
  onTick?: () => void;
  everyMs?: number;
}

/**
 * Runs `node dist/main.js run-once --config FILE` with a clean environment (only PATH, HOME and the
 * like: no CONNECT_*, RATE_LIMIT_* ... that would override the configuration file).
 */
export async function runDaemon(options: DaemonOptions): Promise<DaemonRun> {
  const out = openSync(options.logFile, 'w');
  const err = openSync(options.errFile, 'w');
  const env: NodeJS.ProcessEnv = { ...options.env, BENCH_PROBE_FILE: options.probeFile };
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'])
    if (process.env[name] !== undefined) env[name] = process.env[name];
  const busyBefore = machineBusyMs();
  const benchCpu = process.cpuUsage();
  const startedAt = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', PROBE_URL, ...options.nodeOptions, CLI_ENTRY, 'run-once', '--config', options.configFile],
    { stdio: ['ignore', out, err], env },
  );
  closeSync(out);
  closeSync(err);
  const exited = exitOf(child);
  let sampledPeakRssKb: number | undefined;
  let sampledPeakAnonKb: number | undefined;
  let timedOut = false;
  const sample = () => {
    const status = readStatusKb(child.pid);
    if (status.VmHWM !== undefined) sampledPeakRssKb = Math.max(sampledPeakRssKb ?? 0, status.VmHWM);
    if (status.RssAnon !== undefined) sampledPeakAnonKb = Math.max(sampledPeakAnonKb ?? 0, status.RssAnon);
  };
  const sampler = setInterval(sample, 100);
  const ticker = options.onTick ? setInterval(options.onTick, options.everyMs ?? 500) : undefined;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const { code, signal } = await exited;
  const endedAt = Date.now();
  const busyAfter = machineBusyMs();
  const benchUsage = process.cpuUsage(benchCpu);
  clearInterval(sampler);
  clearInterval(ticker);
  clearTimeout(killer);
  return {
    exitCode: code,
    signal,
    timedOut,
    startedAt,
    endedAt,
    probe: existsSync(options.probeFile)
      ? (JSON.parse(readFileSync(options.probeFile, 'utf8')) as ProbeResult)
      : undefined,
    sampledPeakRssKb,
    sampledPeakAnonKb,
    machineBusyMs: busyBefore === undefined || busyAfter === undefined ? undefined : busyAfter - busyBefore,
    benchCpuMs: (benchUsage.user + benchUsage.system) / 1000,
  };
}

/** CPU time all cores have spent busy since boot (user, nice, system, irq, softirq, steal), ms; Linux only. */
function machineBusyMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return ((user + nice + system + irq + softirq + steal) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;

/** The kB figures of /proc/PID/status that the run samples; none when they cannot be read. */
function readStatusKb(pid: number | undefined): { VmHWM?: number; RssAnon?: number } {
  if (pid === undefined) return {};
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return {}; // not Linux, or the process has just exited
  }
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  return { VmHWM: field('VmHWM'), RssAnon: field('RssAnon') };
}
