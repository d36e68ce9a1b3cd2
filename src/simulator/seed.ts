import {
  ACME_BACKUP,
  ACME_BACKUP_ID,
  CONTRACT,
  CONTOSO_MAIL,
  DEMO_PRODUCTS,
  NORTHWIND_PBX,
  FALLBALL,
  FALLBALL_ID,
  PROVIDER,
  VENDOR,
  DEFAULT_MARKETPLACE,
  genericProduct,
} from './demo-catalog.ts';
import type { Asset, Product, RequestType, UsageRecord } from './model.ts';
import type { Random } from './random.ts';
import type { AssetSpec, ParamInput, RequestSpec, SimulatorStore } from './store.ts';
import { formatTimestamp, toMillis, type TimeInput } from './timestamps.ts';

/**
 * Deterministic data for the store: the same seed (and start time) gives the same requests, ids and
 * values. Two shapes: the demo set (realistic and messy, every request type and status), and the bench
 * set (N pending requests over P products, fast to make for N = 10,000).
 */

export interface SeedOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Bench: this many pending requests instead of the demo set (0: the catalog only). */
  pendingRequests?: number;
  /** Bench: spread over this many products, the demo's two first, then generic ones (default 2). */
  products?: number;
  /** Bench: relative weights of request types (default all purchases). */
  typeMix?: Partial<Record<RequestType, number>>;
  /** `created` of the oldest seeded request (default: two days before now, on the minute). */
  startAt?: TimeInput;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export function seedStore(store: SimulatorStore, options: SeedOptions = {}): void {
  if (options.pendingRequests === undefined) seedDemo(store, options);
  else seedBench(store, options);
}

/** The demo: about 20 pending requests of every type, a few in other statuses, assets, usage files. */
export function seedDemo(store: SimulatorStore, options: Pick<SeedOptions, 'startAt'> = {}): void {
  const random = store.random;
  const start = startOf(store, options.startAt);
  let clock = start;
  /** Requests an hour or so apart, in the order they are added. */
  const next = (sameAsPrevious = false) =>
    sameAsPrevious ? clock : (clock += random.int(40, 110) * MINUTE + random.int(0, 59_999));
  for (const product of DEMO_PRODUCTS) store.addProduct(product);

  const fallballAsset = (fulfilled: boolean, extra: AssetSpec = {}) =>
    store.addAsset({
      productId: FALLBALL_ID,
      params: { ...purchaseParams(random, FALLBALL), ...(fulfilled && fulfillmentParams(random, FALLBALL)) },
      quantities: { 'FB-USERS': random.int(5, 50) },
      withTier2: random.chance(0.4),
      ...extra,
    });
  const acmeAsset = () =>
    store.addAsset({
      productId: ACME_BACKUP_ID,
      params: { ...purchaseParams(random, ACME_BACKUP), ...fulfillmentParams(random, ACME_BACKUP) },
      quantities: { 'ACME-VAULT-1TB': 1 },
    });
  const purchase = (product: Product, spec: Partial<RequestSpec> = {}) =>
    store.addRequest({
      type: 'purchase',
      productId: product.id,
      params: purchaseParams(random, product),
      withTier2: random.chance(0.4),
      ...spec,
    });

  // History: requests finished before the demo starts (their assets are live now).
  purchase(FALLBALL, {
    status: 'approved',
    created: start - 20 * DAY,
    params: { ...purchaseParams(random, FALLBALL), ...fulfillmentParams(random, FALLBALL) },
  });
  purchase(ACME_BACKUP, { status: 'failed', created: start - 12 * DAY });
  const changed = fallballAsset(true);
  store.addRequest({
    type: 'change',
    assetId: changed.id,
    quantities: { 'FB-USERS': 40 },
    status: 'approved',
    created: start - 6 * DAY,
  });

  // Live assets the pending requests below are about; two were never provisioned by the vendor.
  const [a1, a2, a3, a4, a5] = [
    fallballAsset(true),
    fallballAsset(true),
    fallballAsset(true),
    fallballAsset(true),
    fallballAsset(true),
  ];
  const unknownToVendor = fallballAsset(false);
  fallballAsset(false);
  const suspended = fallballAsset(true, { status: 'suspended' });
  const [b1, b2] = [acmeAsset(), acmeAsset()];
  acmeAsset();

  // Pending: the vendor's queue.
  purchase(FALLBALL, { created: next(), quantities: { 'FB-USERS': 10 } });
  purchase(FALLBALL, { created: next(), quantities: { 'FB-USERS': 25, 'FB-STORAGE-TB': 2 } });
  purchase(FALLBALL, {
    created: next(),
    params: { ...purchaseParams(random, FALLBALL), email: 'john.doe@' },
  });
  purchase(FALLBALL, { created: next(), params: { ...purchaseParams(random, FALLBALL), email: 'n/a' } });
  purchase(FALLBALL, { created: next(), quantities: { 'FB-USERS': 'unlimited' }, withTier2: true });
  purchase(FALLBALL, { created: next(), quantities: { 'FB-STORAGE-TB': '1.5' }, externalId: 100234 });
  purchase(FALLBALL, { created: next(true), quantities: { 'FB-USERS': 3 } }); // same `created` as the previous one
  purchase(FALLBALL, { created: next(), externalUid: null, note: 'Customer asked for a quick setup.' });
  purchase(ACME_BACKUP, { created: next(), params: { region: 'eu-west' } });
  purchase(ACME_BACKUP, { created: next(), params: { region: 'us-east' }, withTier2: true });
  purchase(ACME_BACKUP, { created: next(), params: { region: 'eu-west' }, connectionType: 'test' });
  store.addRequest({
    type: 'change',
    assetId: a1.id,
    quantities: { 'FB-USERS': Number(a1.items[0]!.quantity) + 5 },
    created: next(),
  });
  store.addRequest({ type: 'change', assetId: a2.id, quantities: { 'FB-STORAGE-TB': 4 }, created: next() });
  store.addRequest({ type: 'change', assetId: b1.id, quantities: { 'ACME-VAULT-1TB': 2 }, created: next() });
  store.addRequest({ type: 'suspend', assetId: a3.id, created: next() });
  store.addRequest({ type: 'resume', assetId: suspended.id, created: next() });
  store.addRequest({ type: 'cancel', assetId: a4.id, created: next() });
  store.addRequest({ type: 'cancel', assetId: unknownToVendor.id, created: next(), note: null });
  store.addRequest({ type: 'cancel', assetId: b2.id, created: next() });
  store.addRequest({ type: 'adjustment', assetId: a5.id, created: next() });

  // Realism: requests the vendor cannot act on yet, and one waiting for the customer.
  purchase(FALLBALL, { created: next(), status: 'draft' });
  purchase(FALLBALL, { created: next(), status: 'tiers_setup' });
  purchase(FALLBALL, {
    created: next(),
    status: 'inquiring',
    params: {
      ...purchaseParams(random, FALLBALL),
      email: { value: 'admin(at)example', value_error: 'Please enter a valid e-mail address.' },
    },
  });
  // An inquiry the vendor's support resolved on its side: the e-mail is valid now, the request still
  // waits (the example handler pends it).
  purchase(FALLBALL, {
    created: next(),
    status: 'inquiring',
    params: { ...purchaseParams(random, FALLBALL), email: 'it-admin@fixed.example' },
  });

  seedUsage(store, random, start);
  // After the usage files, so adding this product left the other demo data as it was.
  seedContosoMail(store, random, next);
  seedNorthwindPbx(store, random, next);
}

/**
 * The tiered product: two resellers order for the first time (their purchases wait in tiers_setup on
 * a setup TCR each, one with a valid reseller code, one without), and a third updates its code.
 */
function seedNorthwindPbx(store: SimulatorStore, random: Random, next: () => number): void {
  const order = (reseller_code: string) =>
    store.addRequest({
      type: 'purchase',
      productId: NORTHWIND_PBX.id,
      params: { ...purchaseParams(random, NORTHWIND_PBX), reseller_code },
      created: next(),
    });
  order('NW-4417');
  order('northwind partner');
  // A reseller set up long ago (live asset, approved setup) that now changes its code.
  const { tier1 } = store.addAsset({
    productId: NORTHWIND_PBX.id,
    params: purchaseParams(random, NORTHWIND_PBX),
    quantities: { 'NW-PBX-EXT': 20 },
  }).tiers;
  const tiered = { productId: NORTHWIND_PBX.id, account: tier1 };
  store.addTierConfigRequest({ ...tiered, status: 'approved', params: { reseller_code: 'NW-2086' } });
  store.addTierConfigRequest({ ...tiered, type: 'update', params: { reseller_code: 'NW-2087' } });
}

/** The rules-only product: purchases that pass its checks, two that do not, a change and a cancel. */
function seedContosoMail(store: SimulatorStore, random: Random, next: () => number): void {
  const params = () => purchaseParams(random, CONTOSO_MAIL);
  const purchase = (spec: Partial<RequestSpec> = {}) =>
    store.addRequest({
      type: 'purchase',
      productId: CONTOSO_MAIL.id,
      params: params(),
      created: next(),
      ...spec,
    });
  const asset = () =>
    store.addAsset({
      productId: CONTOSO_MAIL.id,
      params: params(),
      quantities: { 'CM-MAILBOX': random.int(5, 40) },
    });
  purchase({ quantities: { 'CM-MAILBOX': 12 } });
  purchase({ quantities: { 'CM-MAILBOX': 30 }, withTier2: true });
  purchase({ params: { ...params(), admin_email: 'postmaster' } });
  purchase({ params: { ...params(), mail_domain: 'contoso mail', plan: 'gold' } });
  const [grown, leaving] = [asset(), asset()];
  store.addRequest({ type: 'change', assetId: grown.id, quantities: { 'CM-MAILBOX': 50 }, created: next() });
  store.addRequest({ type: 'cancel', assetId: leaving.id, created: next() });
}

/** The bench: N pending requests over P products, created a second apart with a few exact ties. */
export function seedBench(store: SimulatorStore, options: SeedOptions): void {
  const random = store.random;
  const products = benchProducts(options.products ?? 2);
  for (const product of products) store.addProduct(product);
  const typeMix = options.typeMix ?? { purchase: 1 };
  let created = startOf(store, options.startAt);
  store.addRequests(
    (function* specs(): Generator<RequestSpec> {
      for (let i = 0; i < (options.pendingRequests ?? 0); i++) {
        if (!random.chance(0.02)) created += 1000;
        const product = products[i % products.length]!;
        const type = random.weighted(typeMix);
        const params =
          type === 'purchase' ? purchaseParams(random, product) : fulfillmentParams(random, product);
        yield { type, productId: product.id, params, created };
      }
    })(),
  );
}

/** A new purchase of a random product, as a distributor would send it (the demo's trickle). */
export function randomPurchaseSpec(store: SimulatorStore): RequestSpec {
  const random = store.random;
  const product = random.pick(store.listProducts());
  return {
    type: 'purchase',
    productId: product.id,
    params: purchaseParams(random, product),
    withTier2: random.chance(0.4),
  };
}

// ---- values ------------------------------------------------------------------------------------------

const WORDS = ['northwind', 'contoso', 'globex', 'initech', 'hooli', 'vandelay', 'tyrell', 'wayne'];

/** Ordering parameters as a customer fills them in. */
export function purchaseParams(random: Random, product: Product): Record<string, ParamInput> {
  const params: Record<string, ParamInput> = {};
  for (const param of product.params.filter((p) => p.phase === 'ordering')) {
    if (param.type === 'email')
      params[param.id] =
        `${random.pick(['admin', 'it', 'ops', 'john.doe'])}@${random.pick(WORDS)}.example.com`;
    else if (param.choices) params[param.id] = random.pick(param.choices);
    else params[param.id] = `${random.pick(WORDS)}${random.int(1, 99)}.example.com`;
  }
  return params;
}

/** Fulfillment parameters as the vendor set them when it provisioned the asset: `FB-483920`. */
export function fulfillmentParams(random: Random, product: Product): Record<string, ParamInput> {
  const prefix: Record<string, string> = { subscription_id: 'FB', backup_vault_id: 'VLT' };
  return Object.fromEntries(
    product.params
      .filter((p) => p.phase === 'fulfillment')
      .map((p) => [p.id, `${prefix[p.id] ?? 'ACC'}-${random.digits(6)}`]),
  );
}

function benchProducts(count: number): Product[] {
  // The demo's first two (the later ones have rules-only or tier-level quirks), then generic ones.
  const products = [FALLBALL, ACME_BACKUP].slice(0, count);
  for (let i = products.length; i < count; i++)
    products.push(
      genericProduct(`PRD-${String(100 + i)}-000-${String(i).padStart(3, '0')}`, `Bench product ${i + 1}`),
    );
  return products;
}

function startOf(store: SimulatorStore, startAt: TimeInput | undefined): number {
  if (startAt !== undefined) return toMillis(startAt);
  return Math.floor((store.now() - 2 * DAY) / MINUTE) * MINUTE;
}

// ---- usage -------------------------------------------------------------------------------------------

/**
 * Usage file UF-2026-11-0001 with 250 records and UF-2026-10-0001 with 40. Connect keeps one product
 * per file; the records here span both demo products on purpose, so a reader never assumes one.
 */
function seedUsage(store: SimulatorStore, random: Random, start: number): void {
  const assets = store.listAssets().filter((asset) => asset.status === 'active');
  const file = (id: string, name: string, month: string, count: number) => {
    const [year, mon] = month.split('-').map(Number) as [number, number];
    const days = new Date(Date.UTC(year, mon, 0)).getUTCDate();
    const records: UsageRecord[] = Array.from({ length: count }, (_, index) =>
      usageRecord(
        random,
        `${id.replace(/^UF-/, 'UR-')}-${String(index + 1).padStart(4, '0')}`,
        { id, name },
        random.pick(assets),
        `${month}-${String((index % days) + 1).padStart(2, '0')}`,
      ),
    );
    store.addUsageFile(
      {
        id,
        name,
        external_id: `${FALLBALL_ID}-${month}`,
        status: 'ready',
        description: `Usage of ${month}`,
        environment: 'production',
        schema: 'qt',
        currency: 'USD',
        period: { from: `${month}-01`, to: `${month}-${days}` },
        product: { id: FALLBALL_ID, name: FALLBALL.name },
        vendor: VENDOR,
        provider: PROVIDER,
        marketplace: DEFAULT_MARKETPLACE,
        contract: CONTRACT,
        records: { valid: count, invalid: 0, closed: 0 },
        events: { created: { at: formatTimestamp(start) } },
      },
      records,
    );
  };
  file('UF-2026-10-0001', 'October 2026 usage', '2026-10', 40);
  file('UF-2026-11-0001', 'November 2026 usage', '2026-11', 250);
}

function usageRecord(
  random: Random,
  id: string,
  usagefile: { id: string; name: string },
  asset: Asset,
  day: string,
): UsageRecord {
  const item = asset.items[0]!;
  const product = asset.product.id === ACME_BACKUP_ID ? ACME_BACKUP : FALLBALL;
  const definition = product.items.find((i) => i.id === item.id)!;
  const usage = definition.unit === 'TB' ? Math.round(random.next() * 400) / 100 : random.int(1, 500);
  const region = asset.params.find((p) => p.id === 'region')?.value ?? null;
  return {
    id,
    start_date: `${day}T00:00:00+00:00`,
    end_date: `${day}T23:59:59+00:00`,
    usage,
    amount: random.chance(0.9) ? Math.round(usage * 45) / 100 : null,
    status: 'valid',
    item: { id: item.id, mpn: item.mpn, name: item.display_name, unit: definition.unit },
    asset: { id: asset.id, external_id: String(asset.external_id), external_uid: asset.external_uid },
    params: region === null ? [] : [{ parameter_name: 'region', parameter_value: region }],
    usagefile,
  };
}
