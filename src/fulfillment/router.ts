import type { FulfillmentRequest } from '../connect/schemas.ts';
import { REQUEST_TYPES, type KnownRequestType } from '../connect/schemas.ts';
import type { HandlerFunction, VendorHandler } from './handler.ts';

export interface RegisteredHandler {
  name: string;
  handler: VendorHandler;
  products: string[];
  /** The module's path, named in the handler's errors. */
  module?: string;
}

export type Route =
  | { found: true; name: string; module?: string; handle: HandlerFunction }
  | { found: false; reason: 'no_handler_for_product' | 'no_function_for_type' };

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

  route(request: FulfillmentRequest): Route {
    const entry = this.#byProduct.get(request.asset.product.id);
    if (!entry) return { found: false, reason: 'no_handler_for_product' };
    const type = request.type as KnownRequestType;
    const handle = (REQUEST_TYPES as readonly string[]).includes(type) ? entry.handler[type] : undefined;
    if (typeof handle !== 'function') return { found: false, reason: 'no_function_for_type' };
    return { found: true, name: entry.name, module: entry.module, handle: handle.bind(entry.handler) };
  }
}
