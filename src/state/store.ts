import type { Outcome } from '../fulfillment/outcomes.ts';

/** A request's backoff: failures so far and when (epoch ms) it may be tried again. */
export interface BackoffEntry {
  failures: number;
  notBefore: number;
  lastError?: string;
}

/** Result of one attempt to take or keep the lease. */
export interface LeaseTerm {
  /** Fencing counter: grows by one each time the lease changes hands. */
  fencing: number;
}

/**
 * Per-request state that must outlive the process when several replicas share an account: backoff,
 * and each outcome decided but not yet carried out (so a successor executes it instead of asking
 * the handler again). Memory is the default; PostgreSQL makes it durable and shared.
 */
export interface StateStore {
  readonly kind: 'memory' | 'postgres';
  getBackoff(requestId: string): Promise<BackoffEntry | undefined>;
  setBackoff(requestId: string, entry: BackoffEntry): Promise<void>;
  deleteBackoff(requestId: string): Promise<void>;
  recordOutcome(requestId: string, outcome: Outcome): Promise<void>;
  recordedOutcome(requestId: string): Promise<Outcome | undefined>;
  clearOutcome(requestId: string): Promise<void>;
  /** Forgets backoff and recorded outcomes of every request not in `pending` (a complete listing). */
  retainOnly(pending: ReadonlySet<string>): Promise<void>;
  /** Requests with a backoff entry. */
  backoffCount(): Promise<number>;
  close(): Promise<void>;
}

/** Leader election primitives; every time is the database's, never this process's clock. */
export interface LeaseStore {
  /** Takes the lease when it is free or expired; undefined when someone else holds it. */
  acquire(name: string, holder: string, durationMs: number): Promise<LeaseTerm | undefined>;
  /** Extends the lease of this term; false when it was lost (expired and taken, or gone). */
  renew(name: string, holder: string, term: LeaseTerm, durationMs: number): Promise<boolean>;
  /** Gives the lease up at once (clean shutdown), so a standby need not wait for expiry. */
  release(name: string, holder: string, term: LeaseTerm): Promise<void>;
}
