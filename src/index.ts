/**
 * The package's public API for handler authors and Node users: the handler contract, the outcome
 * helpers, and the Connect client with its types.
 */
export { defineHandler } from './fulfillment/handler.ts';
export type {
  HandlerContext,
  HandlerFunction,
  TierConfigFunction,
  TierConfigType,
  VendorHandler,
} from './fulfillment/handler.ts';
export { approve, fail, inquire, pend, skip } from './fulfillment/outcomes.ts';
export type {
  ApproveOutcome,
  FailOutcome,
  InquireOutcome,
  Outcome,
  OutcomeAction,
  PendOutcome,
  SkipOutcome,
} from './fulfillment/outcomes.ts';
export { ConnectClient, ConnectError, connectTo, isConnectError, rql } from './connect/index.ts';
export type {
  Account,
  ActionResult,
  Asset,
  ConnectErrorCode,
  FulfillmentRequest,
  Param,
  ParamUpdate,
  TierConfigRequest,
} from './connect/index.ts';
