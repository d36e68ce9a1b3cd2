import type { RequestHandler } from 'msw';
import { startDemoActivity } from './demo-activity.ts';
import { HandlerList } from './handler-list.ts';
import { API_BASE, createSimulatorHandlers } from './handlers.ts';
import { seedStore, type SeedOptions } from './seed.ts';
import { startBridge } from './server.ts';
import { StatsRecorder, type JournalEntry, type SimulatorStats } from './stats.ts';
import { SimulatorStore } from './store.ts';

/**
 * The Connect simulator: the project's own model of the Connect API (CONNECT-API.md), served on a
 * loopback port for the daemon's tests, benchmarks and demo. Faults are injected per test with msw
 * handlers placed in front of the simulator's own (`sim.use(...)`).
 */

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** When set, every API call must send `Authorization: ApiKey <token>` (the option may carry the prefix or not). */
  apiKey?: string;
  /** Default: the demo seed; false: no products, assets, requests or usage (the two marketplaces remain). */
  seed?: SeedOptions | false;
  /** Every API answer the handlers make leaves this long after its call arrived, the simulator's own work included (a rateLimit 429 comes at once, like a gateway's). */
  latencyMs?: number;
  /** Calls beyond this many in any sliding second get 429 with Retry-After: 1. */
  rateLimit?: number;
  /** Add a pending request of a random type every `everyMs`. */
  trickle?: { everyMs: number };
  /** An inquiring request gets its value_error parameters fixed by the customer and is pending again after this long. */
  customerAnswersAfterMs?: number;
}

export interface RunningSimulator {
  /** The API base: `http://127.0.0.1:PORT/public/v1`. */
  url: string;
  store: SimulatorStore;
  /** Puts handlers in front of the simulator's own (newest first), like msw's server.use; `{ once: true }` works. */
  use(...handlers: RequestHandler[]): void;
  /** Drops every handler added with use(). */
  resetHandlers(): void;
  /** Every HTTP request received, in the order answered (admin routes excepted). */
  journal: JournalEntry[];
  stats(): SimulatorStats;
  /** Stops the demo timers, closes the server and its keep-alive connections. */
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const seed = options.seed === false ? undefined : (options.seed ?? {});
  const store = new SimulatorStore({ seed: seed?.seed });
  if (seed) seedStore(store, seed);

  const stats = new StatsRecorder();
  const handlers = new HandlerList(
    createSimulatorHandlers({
      store,
      apiKey: options.apiKey,
      stats: () => stats.snapshot(),
      onActionAccepted: (id, action) => stats.recordAction(id, action),
    }),
  );

  const bridge = await startBridge({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    handlers: (method) => handlers.for(method),
    stats,
    apiKey: options.apiKey,
    latencyMs: options.latencyMs,
    rateLimit: options.rateLimit,
  });
  const stopDemo = startDemoActivity(store, {
    trickle: options.trickle,
    customerAnswersAfterMs: options.customerAnswersAfterMs,
  });

  return {
    url: `${bridge.origin}${API_BASE}`,
    store,
    use: (...added) => handlers.use(...added),
    resetHandlers: () => handlers.reset(),
    journal: stats.journal,
    stats: () => stats.snapshot(),
    close: async () => {
      stopDemo();
      await bridge.close();
    },
  };
}

export { SimulatorStore, OPEN_STATUSES } from './store.ts';
export type {
  AccountInput,
  AssetSpec,
  Collection,
  ParamInput,
  RequestChange,
  RequestSpec,
  StoreOptions,
} from './store.ts';
export {
  seedStore,
  seedDemo,
  seedBench,
  purchaseParams,
  fulfillmentParams,
  randomPurchaseSpec,
  type SeedOptions,
} from './seed.ts';
export { parseQuery, type ListQuery, type OrderTerm, type RqlFilter, type RqlValue } from './rql.ts';
export { runQuery, matches, resolve, contentRange, DEFAULT_LIMIT, MAX_LIMIT, type Page } from './query.ts';
export {
  API_BASE,
  createSimulatorHandlers,
  expectedAuthorization,
  isAuthorized,
  type SimulatorHandlerOptions,
} from './handlers.ts';
export { startBridge, CONNECT_VERSION, type Bridge, type BridgeOptions } from './server.ts';
export { StatsRecorder, SlidingWindow, routeOf, type JournalEntry, type SimulatorStats } from './stats.ts';
export { ERROR_CODES, SimulatorError, errorBody, type ConnectErrorBody } from './errors.ts';
export { ACTION_RULES, MARKDOWN_MAX, TERMINAL_STATUSES } from './transitions.ts';
export { seedDevProducts, type DevProduct } from './dev-seed.ts';
export { startDemoActivity, addTrickledRequest, type DemoActivityOptions } from './demo-activity.ts';
export * from './demo-catalog.ts';
export { Catalog } from './catalog.ts';
export * from './model.ts';
