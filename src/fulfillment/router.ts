import type { FulfillmentRequest } from '../connect/schemas.ts';
import { REQUEST_TYPES, type KnownRequestType } from '../connect/schemas.ts';
import { DEFAULT_STATUSES, type HandlerFunction, type VendorHandler } from './handler.ts';

export interface RegisteredHandler {
  name: string;
  handler: VendorHandler;
  products: string[];
  /** The statuses it is called for; default the handler's own, else pending. */
  statuses?: readonly string[];
}

export type Route =
  | { found: true; name: string; handle: HandlerFunction }
  | { found: false; reason: 'no_handler_for_product' | 'no_function_for_type' | 'status_not_handled' };

/** Product id (and request type) → the vendor's function for it. */
export class Router {
  readonly #byProduct = new Map<string, RegisteredHandler>();

  /** Throws when two handlers claim one product: which one should decide would be a guess. */
  constructor(handlers: RegisteredHandler[]) {
    for (const entry of handlers) {
      for (const product of entry.products) {
        const other = this.#byProduct.get(product);
        if (other)
          throw new Error(`product ${product} is claimed by two handlers: ${other.name} and ${entry.name}`);
        this.#byProduct.set(product, entry);
      }
    }
  }

  get products(): string[] {
    return [...this.#byProduct.keys()];
  }

  /** The union of the statuses the handlers ask for: one listing asks for all of them. */
  get statuses(): string[] {
    return [...new Set([...this.#byProduct.values()].flatMap(statusesOf))].sort();
  }

  route(request: FulfillmentRequest): Route {
    const entry = this.#byProduct.get(request.asset.product.id);
    if (!entry) return { found: false, reason: 'no_handler_for_product' };
    // Listed because another handler asks for this status, not this one.
    if (!statusesOf(entry).includes(request.status)) return { found: false, reason: 'status_not_handled' };
    const type = request.type as KnownRequestType;
    const handle = (REQUEST_TYPES as readonly string[]).includes(type) ? entry.handler[type] : undefined;
    if (typeof handle !== 'function') return { found: false, reason: 'no_function_for_type' };
    return { found: true, name: entry.name, handle: handle.bind(entry.handler) };
  }
}

function statusesOf(entry: RegisteredHandler): readonly string[] {
  return entry.statuses ?? entry.handler.statuses ?? DEFAULT_STATUSES;
}
