import type { Logger } from 'pino';
import { USER_AGENT } from '../version.ts';
import { ConnectClient, type ClientHooks } from './client.ts';
import { DryRun } from './dry-run.ts';
import { Gate } from './gate.ts';
import type { RetryOptions } from './retry.ts';
import { Transport } from './transport.ts';

export interface ConnectSettings {
  url: string;
  apiKey: string;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  requestsPerSecond: number;
  concurrency: number;
  retry: RetryOptions;
  /** No write is sent (see dry-run.ts). */
  dryRun?: boolean;
}

export interface ConnectConnection {
  client: ConnectClient;
  gate: Gate;
  transport: Transport;
  close(): Promise<void>;
}

/** Wires transport, gate and client for one Connect account. */
export function connectTo(
  settings: ConnectSettings,
  log: Logger,
  hooks: ClientHooks & { onPause?: (ms: number) => void } = {},
): ConnectConnection {
  const transport = new Transport({
    url: settings.url,
    apiKey: settings.apiKey,
    userAgent: USER_AGENT,
    connectTimeoutMs: settings.connectTimeoutMs,
    headersTimeoutMs: settings.headersTimeoutMs,
    bodyTimeoutMs: settings.bodyTimeoutMs,
    connections: settings.concurrency,
  });
  const gate = new Gate(
    { requestsPerSecond: settings.requestsPerSecond, concurrency: settings.concurrency },
    { onPause: hooks.onPause },
  );
  const client = new ConnectClient({
    transport,
    gate,
    retry: settings.retry,
    log,
    hooks,
    ...(settings.dryRun ? { dryRun: new DryRun() } : {}),
  });
  let closing: Promise<void> | undefined;
  return {
    client,
    gate,
    transport,
    close() {
      // Idempotent: shutdown paths (signal, end of run-once) may both call it.
      closing ??= (async () => {
        gate.close();
        await transport.close();
      })();
      return closing;
    },
  };
}

export { ConnectClient, routeTemplate } from './client.ts';
export { DryRun, type WouldSend } from './dry-run.ts';
export type { ActionResult, ApproveBody, ClientHooks, ListOptions, ParamUpdate } from './client.ts';
export { ConnectError, isConnectError } from './errors.ts';
export type { ConnectErrorCode } from './errors.ts';
export { rql } from './rql.ts';
export type { Rql } from './rql.ts';
export * from './schemas.ts';
