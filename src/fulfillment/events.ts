import { EventEmitter } from 'node:events';
import type { OutcomeAction } from './outcomes.ts';
import type { WorkKindName } from './work-kind.ts';

/** `unhandled`: no handler function for the request's type (left pending), apart from deliberate skips. */
export type RequestResultKind =
  'approved' | 'failed' | 'inquired' | 'pended' | 'skipped' | 'error' | 'unhandled';

export interface CycleSummary {
  cycleId: string;
  /** completed: listed everything; interrupted: shutdown stopped it; aborted: an error ended it. */
  result: 'completed' | 'interrupted' | 'aborted';
  found: number;
  approved: number;
  failed: number;
  inquired: number;
  pended: number;
  skipped: number;
  errors: number;
  /** Requests of a type their handler has no function for: left pending. */
  unhandled: number;
  /** Listed items that failed validation and were set aside. */
  invalid: number;
  /** Tier config requests, counted apart from asset requests (listed before them). */
  tcrFound: number;
  tcrApproved: number;
  tcrFailed: number;
  tcrInquired: number;
  tcrPended: number;
  tcrSkipped: number;
  tcrErrors: number;
  tcrUnhandled: number;
  tcrInvalid: number;
  durationMs: number;
  /** Why the cycle was aborted (error code), when it was. */
  abortedBy?: string;
  /** `--dry-run`: the outcomes were logged (`request.decided`), none was sent. */
  dryRun?: boolean;
}

/** A summary with every count at zero, as a cycle starts. */
export function emptySummary(cycleId: string): CycleSummary {
  return {
    cycleId,
    result: 'completed',
    found: 0,
    approved: 0,
    failed: 0,
    inquired: 0,
    pended: 0,
    skipped: 0,
    errors: 0,
    unhandled: 0,
    invalid: 0,
    tcrFound: 0,
    tcrApproved: 0,
    tcrFailed: 0,
    tcrInquired: 0,
    tcrPended: 0,
    tcrSkipped: 0,
    tcrErrors: 0,
    tcrUnhandled: 0,
    tcrInvalid: 0,
    durationMs: 0,
  };
}

export interface RequestEvent {
  cycleId: string;
  /** The request's id, or the TCR's (see itemKind). */
  requestId: string;
  /** Asset request or tier config request; the metrics' `kind` label. Default request. */
  itemKind?: WorkKindName;
  type: string;
  productId: string;
  kind: RequestResultKind;
  action?: OutcomeAction;
  /** error code when kind is error */
  code?: string;
  /** What went wrong, when kind is error (may hold text from the handler: mask before showing). */
  message?: string;
  durationMs: number;
  handlerMs?: number;
}

/**
 * Typed lifecycle events: tests await them instead of sleeping, the ops server turns them into
 * health and metrics. Listeners must not throw.
 */
export type FulfillmentEventMap = {
  'cycle:start': [{ cycleId: string }];
  'cycle:end': [CycleSummary];
  'cycle:skipped': [{ runningCycleId: string | undefined }];
  'request:start': [{ cycleId: string; requestId: string }];
  'request:done': [RequestEvent];
};

export class FulfillmentEvents extends EventEmitter<FulfillmentEventMap> {}
