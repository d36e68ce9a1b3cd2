/**
 * The simulator process of the benchmark (forked by processes.ts, so its CPU is not the daemon's).
 * It runs the project's simulator from the same build as the daemon (dist/, what `simulate` runs),
 * through its public API, `startSimulator`, and reads the simulator's journal of calls for what the
 * stats endpoint does not say: when the drain began and ended, and whether any request's action
 * reached the server twice. The parent talks to it over the IPC channel, never through the API.
 *
 *   argv[2]: JSON of SimulatorArgs; then the protocol of serve-parent.ts (ready, progress, report, stop)
 */
import type * as SimulatorModule from '../src/simulator/index.ts';
import { serveParent, writeJournal } from './serve-parent.ts';

export interface SimulatorArgs {
  requests: number;
  products: number;
  latencyMs: number;
  /** Server-side ceiling: 429 + Retry-After: 1 beyond it in any sliding second. */
  rateLimit?: number;
  apiKey: string;
  /** When set, the journal (arrival ms, method, path, status; one call per line) is written here with the report. */
  journalFile?: string;
}

export interface SimulatorReport {
  /** Every API call received (429s included). */
  calls: number;
  byRoute: Record<string, number>;
  /** The most calls that arrived within any sliding 1 s window (429s included: it measures the client). */
  maxCallsInAnySecond: number;
  status429: number;
  /** Answers by status code. */
  byStatus: Record<string, number>;
  /** Arrival of the first API call; departure of the last answer (its arrival plus the latency added to it), ms since the epoch. */
  firstArrivalAt: number | undefined;
  lastAnswerAt: number | undefined;
  pendingLeft: number;
  approved: number;
  /** Requests whose action (approve/fail/inquire/pend) reached the store more than once (429s excluded: the server did not act on those). */
  doubled: number;
  /** Actions the store accepted. */
  actionsAccepted: number;
  /** CPU the simulator spent since it was ready (seeding excluded), ms. */
  cpuMs: number;
}

const SIMULATOR_BUILD = new URL('../dist/simulator/index.js', import.meta.url);
const ACTION_PATH = /^\/requests\/([^/]+)\/(approve|fail|inquire|pend)$/;

type Journal = SimulatorModule.RunningSimulator['journal'];

/** Accepted actions in the journal, counted incrementally (the progress line asks twice a second). */
function actionCounter(journal: Journal): () => number {
  let seen = 0;
  let actions = 0;
  return () => {
    for (; seen < journal.length; seen++) {
      const entry = journal[seen]!;
      if (
        entry.method === 'POST' &&
        entry.status >= 200 &&
        entry.status < 300 &&
        ACTION_PATH.test(entry.path)
      )
        actions++;
    }
    return actions;
  };
}

function buildReport(
  sim: SimulatorModule.RunningSimulator,
  args: SimulatorArgs,
  cpuSince: NodeJS.CpuUsage,
): SimulatorReport {
  const stats = sim.stats();
  const byStatus: Record<string, number> = {};
  const actionsSent = new Map<string, number>();
  let firstArrivalAt: number | undefined;
  let lastAnswerAt: number | undefined;
  for (const entry of sim.journal) {
    byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
    // The bridge answers a 429 at once, and everything else after the latency.
    const answeredAt = entry.at + (entry.status === 429 ? 0 : args.latencyMs);
    if (firstArrivalAt === undefined || entry.at < firstArrivalAt) firstArrivalAt = entry.at;
    if (lastAnswerAt === undefined || answeredAt > lastAnswerAt) lastAnswerAt = answeredAt;
    const action = entry.method === 'POST' ? ACTION_PATH.exec(entry.path) : null;
    if (action && entry.status !== 429) actionsSent.set(action[1]!, (actionsSent.get(action[1]!) ?? 0) + 1);
  }
  let pendingLeft = 0;
  let approved = 0;
  for (const request of sim.store.listRequests()) {
    if (request.status === 'pending') pendingLeft++;
    else if (request.status === 'approved') approved++;
  }
  writeJournal(args.journalFile, sim.journal);
  const cpu = process.cpuUsage(cpuSince);
  return {
    calls: stats.calls,
    byRoute: stats.byRoute,
    maxCallsInAnySecond: stats.maxCallsInAnySecond,
    status429: stats.status429,
    byStatus,
    firstArrivalAt,
    lastAnswerAt,
    pendingLeft,
    approved,
    doubled: [...actionsSent.values()].filter((n) => n > 1).length,
    actionsAccepted: Object.values(stats.actions).reduce(
      (sum, counts) => sum + Object.values(counts).reduce((a, b) => a + b, 0),
      0,
    ),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function main(): Promise<void> {
  if (!process.send)
    throw new Error('bench/simulator.ts runs as a child process with an IPC channel (see processes.ts)');
  const args = JSON.parse(process.argv[2] ?? '{}') as SimulatorArgs;
  const { startSimulator } = (await import(SIMULATOR_BUILD.href)) as typeof SimulatorModule;
  const sim = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    apiKey: args.apiKey,
    seed: { pendingRequests: args.requests, products: args.products },
    latencyMs: args.latencyMs,
    rateLimit: args.rateLimit,
  });
  const cpuSince = process.cpuUsage();
  const countActions = actionCounter(sim.journal);
  serveParent({
    ready: {
      url: sim.url,
      pending: sim.store.listRequests().filter((r) => r.status === 'pending').length,
      products: sim.store.listProducts().map((p) => p.id),
    },
    progress: () => ({ calls: sim.journal.length, actions: countActions() }),
    report: () => buildReport(sim, args, cpuSince),
    close: () => sim.close(),
  });
}

await main();
