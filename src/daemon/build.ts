import type { Logger } from 'pino';
import { connectTo, type ConnectConnection } from '../connect/index.ts';
import type { ClientHooks } from '../connect/client.ts';
import type { RetryOptions } from '../connect/retry.ts';
import { RequestBackoff } from '../fulfillment/backoff.ts';
import { FulfillmentEvents } from '../fulfillment/events.ts';
import { loadHandlers, type HandlerEntry } from '../fulfillment/loader.ts';
import type { Router } from '../fulfillment/router.ts';
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
  poll: { schedule: string; pageSize: number };
  rateLimit: { requestsPerSecond: number; concurrency: number };
  retry: RetryOptions;
  processing: { concurrency: number; handlerTimeoutMs: number; backoffBaseMs: number; backoffMaxMs: number };
  handlers: readonly HandlerEntry[];
}

export interface BuiltDaemon {
  daemon: Daemon;
  router: Router;
  connection: ConnectConnection;
  events: FulfillmentEvents;
  backoff: RequestBackoff;
  /** Handler entries that load but are probably not meant (logged as config.warning). */
  handlerWarnings?: string[];
}

export type DaemonHooks = ClientHooks & { onPause?: (ms: number) => void };

/** The composition root: loads the handler modules, then wires the daemon. */
export async function buildDaemon(
  settings: DaemonSettings,
  log: Logger,
  hooks: DaemonHooks = {},
): Promise<BuiltDaemon> {
  const handlerWarnings: string[] = [];
  const router = await loadHandlers(settings.handlers, handlerWarnings);
  return { ...createDaemon(settings, router, log, hooks), handlerWarnings };
}

/** Client, backoff and events wired around a router (tests pass handler objects directly). */
export function createDaemon(
  settings: DaemonSettings,
  router: Router,
  log: Logger,
  hooks: DaemonHooks = {},
): BuiltDaemon {
  const connection = connectTo(
    {
      ...settings.connect,
      requestsPerSecond: settings.rateLimit.requestsPerSecond,
      concurrency: settings.rateLimit.concurrency,
      retry: settings.retry,
    },
    log,
    hooks,
  );
  const events = new FulfillmentEvents();
  const backoff = new RequestBackoff({
    baseMs: settings.processing.backoffBaseMs,
    maxMs: settings.processing.backoffMaxMs,
  });
  const daemon = new Daemon({
    schedule: settings.poll.schedule,
    log,
    cycle: {
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
  return { daemon, router, connection, events, backoff };
}
