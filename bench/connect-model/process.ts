/**
 * The Connect model's process (forked by processes.ts like bench/simulator.ts, and speaking the same
 * IPC protocol, so a run can use either): seeds the model with realistic requests, serves them, and
 * reports the same figures as the simulator's process, from the model's own journal and store.
 *
 *   argv[2]: JSON of ModelArgs; then the protocol of serve-parent.ts (ready, progress, report, stop)
 */
import { serveParent, writeJournal } from '../serve-parent.ts';
import type { SimulatorReport } from '../simulator.ts';
import { realisticRequests } from './requests.ts';
import { startConnectModel, type JournalEntry, type RunningModel } from './server.ts';

export interface ModelArgs {
  requests: number;
  products: number;
  latencyMs: number;
  apiKey: string;
  /** Size of one request's JSON, bytes. */
  requestBytes: number;
  journalFile?: string;
}

const ACTION_PATH = /^\/requests\/([^/]+)\/(approve|fail|inquire|pend)$/;
const isAction = (e: JournalEntry) => e.method === 'POST' && e.status === 200 && ACTION_PATH.test(e.path);

/** The most arrivals within any sliding 1 s window (the journal is in arrival order per answer; sorted here). */
function maxInAnySecond(journal: readonly JournalEntry[]): number {
  const times = journal.map((e) => e.at).sort((a, b) => a - b);
  let max = 0;
  for (let head = 0, tail = 0; head < times.length; head++) {
    while (times[head]! - times[tail]! >= 1000) tail++;
    max = Math.max(max, head - tail + 1);
  }
  return max;
}

function buildReport(model: RunningModel, args: ModelArgs, cpuSince: NodeJS.CpuUsage): SimulatorReport {
  const byStatus: Record<string, number> = {};
  const byRoute: Record<string, number> = {};
  const actionsSent = new Map<string, number>();
  let firstArrivalAt: number | undefined;
  let lastAnswerAt: number | undefined;
  let actionsAccepted = 0;
  for (const entry of model.journal) {
    byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
    const routeKey = `${entry.method} ${entry.path.replace(/\/(PR|TCR)-[^/]+/, '/{id}')}`;
    byRoute[routeKey] = (byRoute[routeKey] ?? 0) + 1;
    const answeredAt = entry.at + args.latencyMs;
    if (firstArrivalAt === undefined || entry.at < firstArrivalAt) firstArrivalAt = entry.at;
    if (lastAnswerAt === undefined || answeredAt > lastAnswerAt) lastAnswerAt = answeredAt;
    const action = entry.method === 'POST' ? ACTION_PATH.exec(entry.path) : null;
    if (action) actionsSent.set(action[1]!, (actionsSent.get(action[1]!) ?? 0) + 1);
    if (isAction(entry)) actionsAccepted++;
  }
  let pendingLeft = 0;
  let approved = 0;
  for (const request of model.requests()) {
    if (request.status === 'pending') pendingLeft++;
    else if (request.status === 'approved') approved++;
  }
  writeJournal(args.journalFile, model.journal);
  const cpu = process.cpuUsage(cpuSince);
  return {
    calls: model.journal.length,
    byRoute,
    maxCallsInAnySecond: maxInAnySecond(model.journal),
    status429: 0,
    byStatus,
    firstArrivalAt,
    lastAnswerAt,
    pendingLeft,
    approved,
    doubled: [...actionsSent.values()].filter((n) => n > 1).length,
    actionsAccepted,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function main(): Promise<void> {
  if (!process.send)
    throw new Error('bench/connect-model/process.ts runs as a child process with an IPC channel');
  const args = JSON.parse(process.argv[2] ?? '{}') as ModelArgs;
  const products = Array.from(
    { length: args.products },
    (_, i) => `PRD-000-000-${String(i + 1).padStart(3, '0')}`,
  );
  const model = await startConnectModel({
    requests: realisticRequests({ count: args.requests, products, bytes: args.requestBytes }),
    latencyMs: args.latencyMs,
    apiKey: args.apiKey,
  });
  const cpuSince = process.cpuUsage();
  let seen = 0;
  let actions = 0;
  serveParent({
    ready: { url: model.url, pending: args.requests, products },
    progress: () => {
      for (; seen < model.journal.length; seen++) if (isAction(model.journal[seen]!)) actions++;
      return { calls: model.journal.length, actions };
    },
    report: () => buildReport(model, args, cpuSince),
    close: () => model.close(),
  });
}

await main();
