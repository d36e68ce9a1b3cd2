import { copy } from './copy.ts';
import { MARKETPLACES, PRODUCTION_HUB, PROVIDER, TEST_HUB, VENDOR, connectionIdFor } from './demo-catalog.ts';
import type { Connection, ConnectionType, Marketplace, Product } from './model.ts';
import { formatTimestamp } from './timestamps.ts';

/**
 * What the vendor sells and through which channels: products, one connection per product and hub (a
 * production one on the production hub, a test one on the test hub), and the marketplaces. Objects
 * returned are the catalog's own: the store copies before handing anything out.
 */
export class Catalog {
  readonly #products = new Map<string, Product>();
  readonly #connections: Connection[] = [];
  readonly marketplaces: readonly Marketplace[] = copy(MARKETPLACES);

  get connections(): readonly Connection[] {
    return this.#connections;
  }

  addProduct(product: Product): Product {
    if (this.#products.has(product.id)) throw new Error(`product ${product.id} already exists`);
    const index = this.#products.size;
    const stored = copy(product);
    this.#products.set(product.id, stored);
    const hubs = [
      ['production', PRODUCTION_HUB],
      ['test', TEST_HUB],
    ] as const;
    for (const [type, hub] of hubs) {
      this.#connections.push({
        id: connectionIdFor(index, type),
        type,
        status: 'approved',
        product: { id: product.id, name: product.name },
        provider: PROVIDER,
        vendor: VENDOR,
        hub,
        created_at: formatTimestamp(Date.UTC(2024, 0, 15)),
      });
    }
    return stored;
  }

  product(id: string): Product | undefined {
    return this.#products.get(id);
  }

  products(): Product[] {
    return [...this.#products.values()];
  }

  connection(id: string): Connection | undefined {
    return this.#connections.find((c) => c.id === id);
  }

  connectionOf(productId: string, type: ConnectionType): Connection | undefined {
    return this.#connections.find((c) => c.product.id === productId && c.type === type);
  }

  marketplace(id: string): Marketplace | undefined {
    return this.marketplaces.find((m) => m.id === id);
  }

  /** The marketplace served through a hub (the demo has one per hub). */
  marketplaceOnHub(hubId: string): Marketplace | undefined {
    return this.marketplaces.find((m) => m.hubs.some(({ hub }) => hub.id === hubId));
  }
}
