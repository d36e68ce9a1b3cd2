/**
 * Realistic pending requests for the benchmark's Connect model: shaped like the seed's sample
 * (/work/shared/seeds, "List pending requests") and the OpenAPI schema of a subscription request —
 * tiers (customer, tier1, tier2) with contact info, parameters with constraints and value choices,
 * several items, marketplace, contract, a connection with hub, provider and vendor. Each request is
 * padded with further ordering parameters (what a real product with many questions sends) until its
 * JSON reaches the requested size. Deterministic: request i is the same in every run.
 */

export interface RealisticOptions {
  /** How many pending requests. */
  count: number;
  /** Products they are spread over, round-robin. */
  products: readonly string[];
  /** Target size of one request's JSON, bytes (each request reaches at least this). */
  bytes: number;
  /** Creation time of the first request; later ones follow at 1 s steps, every 7th shares its predecessor's. */
  startMs?: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `PR-1234-5678-9012` style ids from a number, so every object of request i has its own stable id. */
function idOf(prefix: string, n: number): string {
  const digits = pad(n, 12);
  return `${prefix}-${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8, 12)}`;
}

const CITIES = [
  ['Erdek', '10500', 'tr', '+90'],
  ['Barcelona', '08001', 'es', '+34'],
  ['Rotterdam', '3011', 'nl', '+31'],
  ['Austin', '73301', 'us', '+1'],
] as const;

function account(prefix: string, n: number, role: string) {
  const [city, postal, country, countryCode] = CITIES[n % CITIES.length]!;
  return {
    id: idOf(prefix, n),
    version: 3,
    name: `${role} ${n} Holdings Ltd.`,
    type: role === 'Customer' ? 'customer' : 'reseller',
    external_id: String(100_000 + n),
    external_uid: `${pad(n, 8)}-6c1b-4e2a-9f3d-${pad(n, 12)}`,
    tax_id: `TX${pad(n, 9)}`,
    contact_info: {
      address_line1: `${(n % 300) + 1} Yalı Mahallesi`,
      address_line2: n % 2 ? 'Floor 3' : '',
      city,
      state: 'string',
      postal_code: postal,
      country,
      contact: {
        first_name: 'Quickstart',
        last_name: `Operator ${n}`,
        email: `ops${n}@${role.toLowerCase()}.example.com`,
        phone_number: { country_code: countryCode, area_code: '546', phone_number: '6317546', extension: '' },
      },
    },
  };
}

function param(n: number, index: number) {
  const kinds = ['email', 'text', 'choice', 'checkbox', 'phone', 'dropdown'] as const;
  const type = kinds[index % kinds.length]!;
  const choices =
    type === 'choice' || type === 'dropdown' || type === 'checkbox'
      ? [
          { value: 'small', label: 'Small (up to 10 seats)' },
          { value: 'medium', label: 'Medium (up to 100 seats)' },
          { value: 'large', label: 'Large (unlimited seats)' },
        ]
      : [];
  return {
    id: `PM-${pad(index + 1, 4)}`,
    name: `param_${index + 1}`,
    title: `Ordering question ${index + 1}`,
    description: 'Asked when ordering; checked before activation.',
    type,
    value: type === 'email' ? `admin${n}@customer.example.com` : choices.length ? 'medium' : `value ${n}`,
    value_error: '',
    value_choices: choices,
    scope: 'asset',
    phase: 'ordering',
    constraints: {
      required: index % 2 === 0,
      hidden: false,
      readonly: false,
      unique: index === 0,
      reconciliation: false,
      shared: false,
      ...(type === 'text' ? { min_length: 1, max_length: 128, placeholder: 'Type here' } : {}),
    },
  };
}

function item(n: number, index: number) {
  return {
    id: `PRD-${pad(n % 1000, 3)}-000-${pad(index + 1, 3)}-0001`,
    global_id: `${idOf('PR', n)}-${pad(index + 1, 3)}`,
    mpn: `MPN-${['TEAM', 'USR', 'STOR', 'ADDON'][index % 4]}-${pad(index, 4)}`,
    display_name: `Seat pack ${index + 1}`,
    period: 'monthly',
    item_type: 'Reservation',
    type: 'Users',
    quantity: String((n % 20) + index + 1),
    old_quantity: '0',
    params: [],
  };
}

/** One realistic pending purchase, before padding. */
function baseRequest(n: number, productId: string, created: string) {
  return {
    id: idOf('PR', n),
    type: 'purchase',
    status: 'pending',
    created,
    updated: created,
    note: '',
    reason: '',
    activation_key: '',
    answered: false,
    assignee: null,
    params_form_url: `https://portal.example.com/requests/${idOf('PR', n)}/params`,
    marketplace: { id: 'MP-91673', name: 'Ingram Micro Cloud United', icon: '/media/mp.png' },
    contract: { id: 'CRD-00000-00000-00000', name: 'Distribution agreement 2026' },
    asset: {
      id: idOf('AS', n),
      status: 'processing',
      external_id: String(500_000 + n),
      external_uid: `${pad(n, 8)}-asset-${pad(n, 12)}`,
      product: { id: productId, name: `Product ${productId}`, status: 'published', icon: '/media/p.png' },
      connection: {
        id: 'CT-0000-0000-0001',
        type: 'production',
        provider: { id: 'PA-000-000', name: 'Ingram Micro Prod DA' },
        vendor: { id: 'VA-000-000', name: 'Large Largo and Co' },
        hub: { id: 'HB-0000-0000', name: 'Ingram Micro Hub' },
      },
      items: [0, 1, 2].map((i) => item(n, i)),
      params: [0, 1, 2].map((i) => param(n, i)),
      tiers: {
        customer: account('CS', n, 'Customer'),
        tier1: account('TA', n, 'Reseller'),
        tier2: account('TB', n, 'Distributor'),
      },
      configuration: { params: [] },
      marketplace: { id: 'MP-91673', name: 'Ingram Micro Cloud United' },
      contract: { id: 'CRD-00000-00000-00000', name: 'Distribution agreement 2026' },
    },
  };
}

export type RealisticRequest = ReturnType<typeof baseRequest>;

/** Request n, padded with ordering parameters until its JSON is at least `bytes` long. */
export function realisticRequest(n: number, productId: string, created: string, bytes: number) {
  const request = baseRequest(n, productId, created);
  let size = JSON.stringify(request).length;
  for (let index = request.asset.params.length; size < bytes; index++) {
    const extra = param(n, index);
    request.asset.params.push(extra);
    size += JSON.stringify(extra).length + 1;
  }
  return request;
}

export function realisticRequests(options: RealisticOptions): RealisticRequest[] {
  const start = options.startMs ?? Date.parse('2026-01-01T00:00:00Z');
  const requests: RealisticRequest[] = [];
  let at = start;
  for (let i = 0; i < options.count; i++) {
    if (i % 7 !== 6) at += 1000; // a few ties: the keyset listing must page through them too
    const created = new Date(at).toISOString().replace('Z', '+00:00');
    requests.push(
      realisticRequest(i + 1, options.products[i % options.products.length]!, created, options.bytes),
    );
  }
  return requests;
}
