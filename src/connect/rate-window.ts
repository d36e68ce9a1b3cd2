/**
 * A rate ceiling that holds in ANY sliding window as the server measures it.
 *
 * Counting call *starts* (a fixed or even a sliding window of start times) is not enough: the server
 * counts *arrivals*, and a call that waits for a new connection arrives later than a call started
 * after it on a warm socket, so two windows' worth of calls can land within one server-side second.
 * Here a call occupies its slot from the moment it starts until `windowMs` after it ends: a new call
 * may start only while (calls in flight) + (calls ended within the last window) < cap. Every call that
 * reaches the server within a window before a new call starts is then either still in flight or ended
 * within that window, so it is counted — whatever the network delays.
 */
export class RateWindow {
  readonly #cap: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  /** End times of finished calls, oldest first (pushed in time order). */
  readonly #ended: number[] = [];
  #head = 0;
  #inFlight = 0;
  readonly #waiters: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(cap: number, windowMs: number, now: () => number = () => performance.now()) {
    this.#cap = cap;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Resolves when a call may start; the caller must call release() when the call has ended. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiters.length === 0 && this.#hasRoom()) {
      this.#inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#inFlight++;
        resolve();
      };
      const onAbort = () => {
        const index = this.#waiters.indexOf(wake);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(wake);
      this.#schedule();
    });
  }

  release(): void {
    this.#inFlight--;
    this.#ended.push(this.#now());
    this.#wakeWaiters();
  }

  /** Returns a slot acquired but not used (the call never started): it does not count as a call. */
  giveBack(): void {
    this.#inFlight--;
    this.#wakeWaiters();
  }

  /** Drops the expiry timer (shutdown); waiting callers are left to their abort signals. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #hasRoom(): boolean {
    const horizon = this.#now() - this.#windowMs;
    while (this.#head < this.#ended.length && this.#ended[this.#head]! <= horizon) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#ended.length) {
      this.#ended.splice(0, this.#head); // compact now and then instead of shifting on every expiry
      this.#head = 0;
    }
    return this.#inFlight + (this.#ended.length - this.#head) < this.#cap;
  }

  #wakeWaiters(): void {
    while (this.#waiters.length > 0 && this.#hasRoom()) this.#waiters.shift()!();
    this.#schedule();
  }

  /** While callers wait, wake up when the oldest counted call leaves the window. */
  #schedule(): void {
    if (this.#timer || this.#waiters.length === 0 || this.#head >= this.#ended.length) return;
    const delay = Math.max(1, Math.ceil(this.#ended[this.#head]! + this.#windowMs - this.#now()));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#wakeWaiters();
    }, delay);
  }
}
