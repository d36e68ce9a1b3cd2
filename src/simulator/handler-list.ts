import type { HttpHandler, RequestHandler } from 'msw';

/**
 * The handlers msw tries for a request: per-test ones (newest first) in front of the simulator's own.
 * msw runs every handler in turn until one answers, parsing and matching the URL for each, so the own
 * handlers of other methods, which could never answer, are left out up front; the list per method is
 * built once per change of the per-test handlers, not per call. Per-test handlers are all kept: they
 * may match with a predicate of their own.
 */
export class HandlerList {
  readonly #own: readonly HttpHandler[];
  #added: readonly RequestHandler[] = [];
  readonly #byMethod = new Map<string, RequestHandler[]>();

  constructor(own: readonly HttpHandler[]) {
    this.#own = own;
  }

  /** Puts handlers in front (newest first), like msw's server.use. */
  use(...handlers: RequestHandler[]): void {
    this.#added = [...handlers, ...this.#added];
    this.#byMethod.clear();
  }

  reset(): void {
    this.#added = [];
    this.#byMethod.clear();
  }

  /** What getResponse is given for a request of this method (not to be changed by the caller). */
  for(method: string): RequestHandler[] {
    let handlers = this.#byMethod.get(method);
    if (handlers === undefined) {
      handlers = [...this.#added, ...this.#own.filter((handler) => answersMethod(handler, method))];
      this.#byMethod.set(method, handlers);
    }
    return handlers;
  }
}

/** msw's own method test: a string matches case-insensitively, a RegExp (http.all) by test. */
function answersMethod(handler: HttpHandler, method: string): boolean {
  const expected = handler.info.method;
  return typeof expected === 'string'
    ? expected.toLowerCase() === method.toLowerCase()
    : expected.test(method);
}
