/**
 * `connect-fulfillment/testing`: the kit for testing a handler without a daemon — request builders,
 * runHandler, and the Connect simulator for handlers that read through `context.client`. Plain
 * functions and promises: it works under node:test, jest and vitest alike.
 */
export { buildRequest, buildTierConfigRequest, TEST_PRODUCT_ID } from './builders.ts';
export type { ProductInput, RequestOptions, TierConfigRequestOptions } from './builders.ts';
export { runHandler, HandlerRunError } from './run-handler.ts';
export type {
  HandlerRun,
  HandlerRunErrorCode,
  LogLine,
  RunHandlerOptions,
  TestableHandler,
  TierConfigFunction,
} from './run-handler.ts';
export { startSimulator } from '../simulator/index.ts';
export type { RunningSimulator, SimulatorOptions } from '../simulator/index.ts';
export type { FulfillmentRequest, TierConfigRequest } from '../connect/schemas.ts';
export type { Outcome } from '../fulfillment/outcomes.ts';
