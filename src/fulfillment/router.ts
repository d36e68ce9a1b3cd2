import type { FulfillmentRequest, TierConfigRequest } from '../connect/schemas.ts';
import { REQUEST_TYPES, type KnownRequestType } from '../connect/schemas.ts';
import { CONNECTION_TYPES, type ConnectionType } from '../config/types.ts';
import {
  DEFAULT_STATUSES,
  TIER_CONFIG_TYPES,
  type HandlerFunction,
  type TierConfigFunction,
  type VendorHandler,
} from './handler.ts';

export interface RegisteredHandler {
  name: string;
  handler: VendorHandler;
  products: string[];
  /** The module's path, named in the handler's errors. */
  module?: string;
  /** The statuses it is called for; default the handler's own, else pending. */
  statuses?: readonly string[];
  /** The connection types it takes (within the router's); default all of the router's. */
  connectionTypes?: readonly ConnectionType[];
}

export interface RouterOptions {
  /** poll.connectionTypes: requests of other connection types are neither listed nor handled. */
  connectionTypes?: readonly ConnectionType[];
}

export type Route =
  | {
      found: true;
      name: string;
      module?: string;
      /** The function called, named in the handler's errors: `purchase`, `tierConfig.setup`, ... */
      function: string;
      handle: HandlerFunction | TierConfigFunction;
    }
  | {
      found: false;
      reason:
        | 'no_handler_for_product'
        | 'no_function_for_type'
        | 'status_not_handled'
        | 'connection_type_not_handled';
    };

/** Product id (and request type) → the vendor's function for it. */
export class Router {
  #byProduct = new Map<string, RegisteredHandler>();
  #connectionTypes: readonly ConnectionType[];

  /** Throws when two handlers claim one product: which one should decide would be a guess. */
  constructor(handlers: RegisteredHandler[], options: RouterOptions = {}) {
    this.#connectionTypes = options.connectionTypes ?? CONNECTION_TYPES;
    for (const entry of handlers) {
      for (const product of entry.products) {
        const other = this.#byProduct.get(product);
        if (other)
          throw new Error(`product ${product} is claimed by two handlers: ${other.name} and ${entry.name}`);
        this.#byProduct.set(product, entry);
      }
    }
  }

  /**
   * Takes over the handlers of `next` in one step (`dev` reloads modules): callers swap between cycles,
   * so that one cycle never mixes two versions of a handler.
   */
  adopt(next: Router): void {
    this.#byProduct = next.#byProduct;
    this.#connectionTypes = next.#connectionTypes;
  }

  get products(): string[] {
    return [...this.#byProduct.keys()];
  }

  /** The union of the statuses the handlers ask for: one listing asks for all of them. */
  get statuses(): string[] {
    return [...new Set([...this.#byProduct.values()].flatMap(statusesOf))].sort();
  }

  /** Products whose handler has `tierConfig`: only theirs are listed on /tier/config-requests. */
  get tierConfigProducts(): string[] {
    return [...this.#byProduct].filter(([, entry]) => hasTierConfig(entry)).map(([product]) => product);
  }

  /** The union of the statuses of the handlers with `tierConfig`: the TCR listing asks for these. */
  get tierConfigStatuses(): string[] {
    const entries = [...this.#byProduct.values()].filter(hasTierConfig);
    return [...new Set(entries.flatMap(statusesOf))].sort();
  }

  /**
   * The connection types some handler takes, in CONNECTION_TYPES order: the listing asks for these
   * only. All three: no filter is needed (the listing stays as it was).
   */
  get connectionTypes(): ConnectionType[] {
    const taken = new Set([...this.#byProduct.values()].flatMap((entry) => this.#typesOf(entry)));
    return CONNECTION_TYPES.filter((type) => taken.has(type));
  }

  route(request: FulfillmentRequest): Route {
    const type = request.type as KnownRequestType;
    return this.#route(request.asset.product.id, request.status, request.asset.connection?.type, (entry) =>
      (REQUEST_TYPES as readonly string[]).includes(type)
        ? { fn: entry.handler[type], owner: entry.handler, name: type }
        : undefined,
    );
  }

  /** A TCR goes to the handler of its configuration's product, to `tierConfig[tcr.type]`. */
  routeTierConfig(tcr: TierConfigRequest): Route {
    const type = tcr.type as (typeof TIER_CONFIG_TYPES)[number];
    return this.#route(
      tcr.configuration.product.id,
      tcr.status,
      tcr.configuration.connection?.type,
      (entry) =>
        (TIER_CONFIG_TYPES as readonly string[]).includes(type) && entry.handler.tierConfig
          ? {
              fn: entry.handler.tierConfig[type],
              owner: entry.handler.tierConfig,
              name: `tierConfig.${type}`,
            }
          : undefined,
    );
  }

  #route(
    productId: string,
    status: string,
    connectionType: string | null | undefined,
    pick: (entry: RegisteredHandler) => { fn: unknown; owner: object; name: string } | undefined,
  ): Route {
    const entry = this.#byProduct.get(productId);
    if (!entry) return { found: false, reason: 'no_handler_for_product' };
    // Listed because another entry takes this connection type (or the server ignored the filter).
    if (!this.#typesOf(entry).includes(connectionType as ConnectionType))
      return { found: false, reason: 'connection_type_not_handled' };
    // Listed because another handler asks for this status, not this one.
    if (!statusesOf(entry).includes(status)) return { found: false, reason: 'status_not_handled' };
    const picked = pick(entry);
    if (typeof picked?.fn !== 'function') return { found: false, reason: 'no_function_for_type' };
    return {
      found: true,
      name: entry.name,
      module: entry.module,
      function: picked.name,
      handle: (picked.fn as HandlerFunction).bind(picked.owner),
    };
  }

  /** The entry's own types narrow the router's (poll.connectionTypes); they never widen them. */
  #typesOf(entry: RegisteredHandler): readonly ConnectionType[] {
    const own = entry.connectionTypes;
    return own ? this.#connectionTypes.filter((type) => own.includes(type)) : this.#connectionTypes;
  }
}

function hasTierConfig(entry: RegisteredHandler): boolean {
  const tierConfig = entry.handler.tierConfig;
  return (
    typeof tierConfig === 'object' &&
    tierConfig !== null &&
    TIER_CONFIG_TYPES.some((type) => typeof tierConfig[type] === 'function')
  );
}

function statusesOf(entry: RegisteredHandler): readonly string[] {
  return entry.statuses ?? entry.handler.statuses ?? DEFAULT_STATUSES;
}
