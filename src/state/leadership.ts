import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { LeaseLostError } from './lease-error.ts';
import type { LeaseStore, LeaseTerm } from './store.ts';

export interface LeadershipOptions {
  store: LeaseStore;
  /** Schema set-up, retried with the lease until it succeeds (the database may be down at start). */
  prepare?: () => Promise<unknown>;
  name: string;
  /** Unique per process: host, pid and a random part. */
  holder: string;
  durationMs: number;
  renewMs: number;
  log: Logger;
  /** The state URL as it may be logged (password masked). */
  where: string;
  /** Monotonic clock in ms. */
  now?: () => number;
}

export type Role = 'leader' | 'standby';

/**
 * Leader election on a database lease, like Kubernetes' client-go: the holder renews every renewMs;
 * the others try to take it every renewMs and succeed once it has expired (by the database's clock).
 * Locally, the holder trusts its lease only until `last renew sent + duration − margin`; past that
 * (renewals failing or hanging) it steps down on its own, before the database could give the lease
 * to someone else. Each term has a signal that aborts when the term ends.
 */
export class Leadership extends EventEmitter<{ change: [Role] }> {
  readonly #o: LeadershipOptions;
  readonly #now: () => number;
  readonly #marginMs: number;
  #term: LeaseTerm | undefined;
  #termAbort = new AbortController();
  #deadline = 0;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #loopTimer: NodeJS.Timeout | undefined;
  #prepared = false;
  #failing = false;
  #announcedStandby = false;
  #stopped = false;

  constructor(options: LeadershipOptions) {
    super();
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#marginMs = Math.min(2_000, Math.round(options.durationMs / 5));
    this.#termAbort.abort(new LeaseLostError('not the lease holder'));
  }

  get role(): Role {
    return this.holding ? 'leader' : 'standby';
  }

  /** True while this replica holds the lease and it cannot have expired yet. */
  get holding(): boolean {
    return this.#term !== undefined && this.#now() < this.#deadline;
  }

  /** Aborted when the current term ends (already aborted on a standby). */
  get signal(): AbortSignal {
    return this.#termAbort.signal;
  }

  /** Throws before an API action that might be sent after the lease may have expired. */
  assertHolding(): void {
    if (!this.holding) throw new LeaseLostError(`lease ${this.#o.name} not held: action not sent`);
  }

  /** Runs the first attempt, then keeps going every renewMs until stop(). */
  async start(): Promise<void> {
    await this.#tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#loopTimer);
    const term = this.#term;
    if (!term) return;
    this.#stepDown('shutting down', false);
    await this.#o.store.release(this.#o.name, this.#o.holder, term).catch(() => {});
  }

  async #tick(): Promise<void> {
    const { store, name, holder, durationMs, log } = this.#o;
    const sent = this.#now();
    try {
      if (!this.#prepared) {
        await this.#o.prepare?.();
        this.#prepared = true;
      }
      if (this.#term) {
        const term = this.#term;
        const renewed = await store.renew(name, holder, term, durationMs);
        if (this.#term !== term) return; // stepped down while the statement ran
        if (renewed) {
          this.#extend(sent);
          log.debug({ event: 'lease.renewed', lease: name, fencing: term.fencing }, `lease ${name} renewed`);
        } else {
          this.#stepDown('the lease expired and was taken over');
        }
      } else {
        const term = await store.acquire(name, holder, durationMs);
        if (term && !this.#stopped) {
          this.#term = term;
          this.#termAbort = new AbortController();
          this.#extend(sent);
          this.#announcedStandby = false;
          log.info(
            { event: 'lease.acquired', lease: name, holder, fencing: term.fencing },
            `lease ${name} acquired (fencing ${term.fencing}): this replica processes requests`,
          );
          this.emit('change', 'leader');
        } else if (!this.#announcedStandby) {
          this.#announcedStandby = true;
          log.info(
            { event: 'lease.standby', lease: name, holder },
            `lease ${name} held by another replica: standing by`,
          );
          this.emit('change', 'standby');
        }
      }
      if (this.#failing) {
        this.#failing = false;
        log.info({ event: 'state.recovered', stateUrl: this.#o.where }, `state database reachable again`);
      }
    } catch (err) {
      if (this.#term) this.#stepDown(`the state database did not answer: ${message(err)}`);
      this.#failing = true;
      this.#announcedStandby = false;
      // One line per attempt (every renewMs): no flood, and never the password.
      log.error(
        {
          event: 'state.unavailable',
          stateUrl: this.#o.where,
          error: message(err),
          retryInMs: this.#o.renewMs,
        },
        `state database ${this.#o.where} unavailable (${message(err)}); standing by, next try in ${this.#o.renewMs} ms`,
      );
    } finally {
      if (!this.#stopped) this.#loopTimer = setTimeout(() => void this.#tick(), this.#o.renewMs);
    }
  }

  /** The lease runs at least until `sent + duration` by the database's clock; trust it a margin less. */
  #extend(sent: number): void {
    this.#deadline = sent + this.#o.durationMs - this.#marginMs;
    clearTimeout(this.#deadlineTimer);
    const term = this.#term;
    this.#deadlineTimer = setTimeout(
      () => {
        if (this.#term === term) this.#stepDown('not renewed in time');
      },
      Math.max(0, this.#deadline - this.#now()),
    );
  }

  #stepDown(reason: string, log = true): void {
    const term = this.#term;
    if (!term) return;
    this.#term = undefined;
    this.#deadline = 0;
    clearTimeout(this.#deadlineTimer);
    this.#termAbort.abort(new LeaseLostError(`lease ${this.#o.name} lost: ${reason}`));
    if (log) {
      this.#o.log.warn(
        { event: 'lease.lost', lease: this.#o.name, fencing: term.fencing, reason },
        `lease ${this.#o.name} lost (${reason}): stopped processing`,
      );
    }
    this.emit('change', 'standby');
  }
}

function message(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return err.message || (typeof code === 'string' ? code : err.name);
}
