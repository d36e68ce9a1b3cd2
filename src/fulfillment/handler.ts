import type { Logger } from 'pino';
import type { ConnectClient } from '../connect/client.ts';
import type { FulfillmentRequest, KnownRequestType, TierConfigRequest } from '../connect/schemas.ts';
import type { Outcome } from './outcomes.ts';

/** What a handler gets besides the request: one context per request, like probot's. */
export interface HandlerContext {
  /** A child logger bound to the cycle and request ids. */
  log: Logger;
  /** Aborted when the handler's deadline passes or the daemon shuts down: pass it to your own I/O. */
  signal: AbortSignal;
  /** The rate-limited Connect client, for extra reads. Decisions go through the returned outcome. */
  client: ConnectClient;
  /** 1 on the first try; higher after earlier attempts on this request failed. */
  attempt: number;
  cycleId: string;
  /**
   * True under `--dry-run`: the outcome is logged (`request.decided`), not sent. Writes of your own
   * through `client` are held back too; side effects elsewhere (your systems) are yours to skip.
   */
  dryRun: boolean;
}

export type HandlerFunction = (
  request: FulfillmentRequest,
  context: HandlerContext,
) => Outcome | Promise<Outcome>;

/** Called for a tier configuration request (TCR) of one of the handler's products. */
export type TierConfigFunction = (
  tcr: TierConfigRequest,
  context: HandlerContext,
) => Outcome | Promise<Outcome>;

/** The TCR types Connect sends: a tier account's first configuration of a product, or a change of it. */
export const TIER_CONFIG_TYPES = ['setup', 'update'] as const;
export type TierConfigType = (typeof TIER_CONFIG_TYPES)[number];

/** The statuses a handler may ask to be called for (DESIGN.md, "Statuses"). */
export const HANDLED_STATUSES = ['pending', 'inquiring'] as const;
export type HandledStatus = (typeof HANDLED_STATUSES)[number];
export const DEFAULT_STATUSES: readonly HandledStatus[] = ['pending'];

/** A vendor handler module's default export. A request type without a function is skipped. */
export type VendorHandler = {
  /** Used in logs; defaults to the module's file name. */
  name?: string;
  /** Products this handler serves; optional when the config entry lists them. */
  products?: string[];
  /** The request statuses it is called for (default pending); `request.status` tells which. */
  statuses?: readonly HandledStatus[];
  /** Tier configuration requests of its products, by TCR type; a type without a function is skipped. */
  tierConfig?: Partial<Record<TierConfigType, TierConfigFunction>>;
} & Partial<Record<KnownRequestType, HandlerFunction>>;

/** Returns the handler unchanged; it exists for the types, so plain .js modules need no import. */
export function defineHandler<T extends VendorHandler>(handler: T): T {
  return handler;
}
