import type { Logger } from 'pino';
import type { ConnectionType } from '../config/types.ts';
import { connectTo, type ConnectConnection } from '../connect/index.ts';
import type { ClientHooks } from '../connect/client.ts';
import type { RetryOptions } from '../connect/retry.ts';
import { RequestBackoff } from '../fulfillment/backoff.ts';
import { FulfillmentEvents } from '../fulfillment/events.ts';
import { loadHandlers, type HandlerEntry } from '../fulfillment/loader.ts';
import type { Router } from '../fulfillment/router.ts';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Leadership } from '../state/leadership.ts';
import { maskUrl } from '../state/mask.ts';
import { MemoryStateStore } from '../state/memory.ts';
import type { PostgresStateStore } from '../state/postgres.ts';
import type { StateStore } from '../state/store.ts';
import { Daemon } from './daemon.ts';

/** The part of the configuration the daemon runs on (config/ maps files and env onto it). */
export interface DaemonSettings {
  connect: {
    url: string;
    apiKey: string;
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
  };
  /** connectionTypes: default all three (no filter in the listing). */
  poll: { schedule: string; pageSize: number; connectionTypes?: readonly ConnectionType[] };
  rateLimit: { requestsPerSecond: number; concurrency: number };
  retry: RetryOptions;
  processing: { concurrency: number; handlerTimeoutMs: number; backoffBaseMs: number; backoffMaxMs: number };
  handlers: readonly HandlerEntry[];
  /** `--dry-run`: list and call handlers, send no write, record nothing as done. */
  dryRun?: boolean;
  /** Absent or empty url: in memory, one replica. */
  state?: { url: string };
  lease?: { name: string; durationMs: number; renewMs: number };
}

export interface BuiltDaemon {
  daemon: Daemon;
  router: Router;
  connection: ConnectConnection;
  events: FulfillmentEvents;
  backoff: RequestBackoff;
  state: StateStore;
  /** Present with state.url: the lease this replica holds or waits for. */
  leadership?: Leadership;
  /** Handler entries that load but are probably not meant (logged as config.warning). */
  handlerWarnings?: string[];
}

/** The store and the lease of a replica that shares an account with others. */
interface Replication {
  store: PostgresStateStore;
  leadership: Leadership;
}

export type DaemonHooks = ClientHooks & { onPause?: (ms: number) => void };

/** The composition root: loads the handler modules, then wires the daemon. */
export async function buildDaemon(
  settings: DaemonSettings,
  log: Logger,
  hooks: DaemonHooks = {},
): Promise<BuiltDaemon> {
  const handlerWarnings: string[] = [];
  const router = await loadHandlers(settings.handlers, handlerWarnings, {
    ...(settings.poll.connectionTypes ? { connectionTypes: settings.poll.connectionTypes } : {}),
  });
  const replication = settings.state?.url ? await replicate(settings, log) : undefined;
  return { ...createDaemon(settings, router, log, hooks, replication), handlerWarnings };
}

async function replicate(settings: DaemonSettings, log: Logger): Promise<Replication> {
  // Loaded only with state.url: a single daemon has no use for pg (under 2 MB of its start-up RSS).
  const { PostgresStateStore } = await import('../state/postgres.ts');
  const url = settings.state!.url;
  const lease = settings.lease ?? { name: 'default', durationMs: 15_000, renewMs: 5_000 };
  // A statement slower than this counts as failed: the lease must not hang on it.
  const store = PostgresStateStore.open({
    url,
    timeoutMs: Math.min(Math.max(lease.renewMs, 1_000), Math.round(lease.durationMs / 2)),
  });
  const leadership = new Leadership({
    store,
    prepare: () => store.migrate(),
    name: lease.name,
    holder: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    durationMs: lease.durationMs,
    renewMs: lease.renewMs,
    log,
    where: maskUrl(url),
  });
  return { store, leadership };
}

/** Client, backoff and events wired around a router (tests pass handler objects directly). */
export function createDaemon(
  settings: DaemonSettings,
  router: Router,
  log: Logger,
  hooks: DaemonHooks = {},
  replication?: Replication,
): BuiltDaemon {
  const leadership = replication?.leadership;
  if (leadership) hooks = { ...hooks, beforeWrite: () => leadership.assertHolding() };
  const state: StateStore = replication?.store ?? new MemoryStateStore();
  const connection = connectTo(
    {
      ...settings.connect,
      requestsPerSecond: settings.rateLimit.requestsPerSecond,
      concurrency: settings.rateLimit.concurrency,
      retry: settings.retry,
      ...(settings.dryRun ? { dryRun: true } : {}),
    },
    log,
    hooks,
  );
  const events = new FulfillmentEvents();
  const backoff = new RequestBackoff({
    baseMs: settings.processing.backoffBaseMs,
    maxMs: settings.processing.backoffMaxMs,
    store: state,
  });
  const daemon = new Daemon({
    schedule: settings.poll.schedule,
    log,
    ...(leadership ? { leadership } : {}),
    cycle: {
      ...(replication ? { outcomes: state } : {}),
      client: connection.client,
      router,
      backoff,
      handlerTimeoutMs: settings.processing.handlerTimeoutMs,
      log,
      events,
      pageSize: settings.poll.pageSize,
      concurrency: settings.processing.concurrency,
    },
  });
  return { daemon, router, connection, events, backoff, state, ...(leadership ? { leadership } : {}) };
}
