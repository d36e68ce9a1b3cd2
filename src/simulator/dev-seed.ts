import { NORTHWIND_PBX_ID } from './demo-catalog.ts';
import type { ParamDefinition, Product } from './model.ts';
import type { Random } from './random.ts';
import { purchaseParams } from './seed.ts';
import type { ParamInput, SimulatorStore } from './store.ts';

/**
 * The queue of `connect-fulfillment dev`: for each of the vendor's configured products, one request of
 * every asset type, a purchase with a bad parameter value, one the customer has to answer (inquiring),
 * and — when the product's handler takes tier configuration — a setup and an update TCR, so that every
 * function of a new handler is called in the first cycle.
 */

export interface DevProduct {
  product: Product;
  /** The product's handler has `tierConfig`: seed tier config requests too. */
  tierConfig?: boolean;
}

export function seedDevProducts(store: SimulatorStore, products: readonly DevProduct[]): void {
  for (const { product, tierConfig } of products) {
    if (!store.getProduct(product.id)) store.addProduct(product);
    seedProductQueue(store, product);
    if (tierConfig) seedTierConfig(store, product);
  }
}

function seedProductQueue(store: SimulatorStore, product: Product): void {
  const random = store.random;
  const params = () => purchaseParams(random, product);
  const bad = badValue(product);
  const asset = (status: 'active' | 'suspended' = 'active') =>
    store.addAsset({
      productId: product.id,
      params: params(),
      status,
      quantities: { [itemOf(product)]: 10 },
    });
  // An explicit status: a tiered product's purchases would otherwise wait in tiers_setup.
  const purchase = (extra: Record<string, ParamInput> = {}, status: 'pending' | 'inquiring' = 'pending') =>
    store.addRequest({
      type: 'purchase',
      productId: product.id,
      params: { ...params(), ...extra },
      quantities: { [itemOf(product)]: random.int(1, 25) },
      withTier2: random.chance(0.4),
      status,
    });

  purchase();
  purchase();
  if (bad) {
    purchase({ [bad.param.id]: bad.value });
    purchase({ [bad.param.id]: { value: bad.value, value_error: bad.error } }, 'inquiring');
  } else {
    purchase({}, 'inquiring');
  }
  store.addRequest({ type: 'change', assetId: asset().id, quantities: { [itemOf(product)]: 15 } });
  store.addRequest({ type: 'suspend', assetId: asset().id });
  store.addRequest({ type: 'resume', assetId: asset('suspended').id });
  store.addRequest({ type: 'cancel', assetId: asset().id });
}

/**
 * A reseller ordering for the first time (its purchase waits in tiers_setup on a pending setup TCR),
 * one whose tier answer is wrong, and a reseller set up long ago that updates its configuration.
 */
function seedTierConfig(store: SimulatorStore, product: Product): void {
  const random = store.random;
  const tierParams = product.params.filter((p) => p.scope === 'tier1');
  const valuesOf = (wrong: boolean) =>
    Object.fromEntries(
      tierParams.map((p) => [p.id, wrong ? badValueOf(p).value : goodTierValue(product.id, p, random)]),
    );
  for (const wrong of [false, true])
    store.addRequest({
      type: 'purchase',
      productId: product.id,
      params: { ...purchaseParams(random, product), ...valuesOf(wrong) },
    });
  const { tier1 } = store.addAsset({ productId: product.id, params: purchaseParams(random, product) }).tiers;
  const tiered = { productId: product.id, account: tier1 };
  store.addTierConfigRequest({ ...tiered, status: 'approved', params: valuesOf(false) });
  store.addTierConfigRequest({ ...tiered, type: 'update', params: valuesOf(false) });
}

function itemOf(product: Product): string {
  const item = product.items[0];
  if (!item) throw new Error(`product ${product.id} has no items`);
  return item.id;
}

/** The ordering parameter a customer most easily gets wrong, with a wrong value and Connect-like error. */
function badValue(product: Product): { param: ParamDefinition; value: string; error: string } | undefined {
  const ordering = product.params.filter((p) => p.phase === 'ordering' && (p.scope ?? 'asset') === 'asset');
  const param = ordering.find((p) => p.type !== 'text') ?? ordering[0];
  return param && { param, ...badValueOf(param) };
}

function badValueOf(param: ParamDefinition): { value: string; error: string } {
  switch (param.type) {
    case 'email':
      return { value: 'john.doe@', error: 'Please enter a valid e-mail address.' };
    case 'domain':
    case 'subdomain':
    case 'url':
      return { value: 'not a domain', error: `Please enter a valid ${param.type}.` };
    case 'choice':
    case 'dropdown':
      return { value: 'n/a', error: `Please choose one of ${(param.choices ?? []).join(', ')}.` };
    default:
      return { value: 'n/a', error: `Please fill in ${param.title}.` };
  }
}

/** Tier values the demo's handlers accept (examples/handlers/northwind-pbx.js checks the code's form). */
const KNOWN_TIER_VALUES: Record<string, Record<string, string>> = {
  [NORTHWIND_PBX_ID]: { reseller_code: 'NW-4417' },
};

function goodTierValue(productId: string, param: ParamDefinition, random: Random): string {
  const known = KNOWN_TIER_VALUES[productId]?.[param.id];
  if (known) return known;
  if (param.choices?.length) return random.pick(param.choices);
  return `R-${random.digits(4)}`;
}
