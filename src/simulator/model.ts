/**
 * The shapes the simulator stores and serves, as CONNECT-API.md describes them ("The request
 * object"). Field names are Connect's (snake_case) so objects go out as they are kept.
 */

export const REQUEST_TYPES = ['purchase', 'change', 'suspend', 'resume', 'cancel', 'adjustment'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATUSES = [
  'draft',
  'tiers_setup',
  'pending',
  'inquiring',
  'approved',
  'failed',
  'scheduled',
  'revoking',
  'revoked',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const ACTIONS = ['approve', 'fail', 'inquire', 'pend'] as const;
export type RequestAction = (typeof ACTIONS)[number];

export type AssetStatus = 'processing' | 'active' | 'suspended' | 'terminated';
export type ConnectionType = 'production' | 'test' | 'preview';
export type ParamPhase = 'ordering' | 'fulfillment';
/** `tier1`/`tier2`: a tier-level parameter, set on the tier's configuration (a TCR), not on the asset. */
export type ParamScope = 'asset' | 'tier1' | 'tier2';
export type ParamType =
  | 'text'
  | 'email'
  | 'choice'
  | 'domain'
  | 'subdomain'
  | 'url'
  | 'phone'
  | 'checkbox'
  | 'dropdown'
  | 'password';

/** Connect sends external ids as strings, and sometimes as numbers. */
export type ExternalId = string | number;

export interface Ref {
  id: string;
  name: string;
}

export interface PhoneNumber {
  country_code: string;
  area_code: string;
  phone_number: string;
  extension: string;
}

export interface ContactInfo {
  address_line1: string;
  address_line2: string | null;
  city: string;
  state: string;
  postal_code: string;
  country: string;
  contact: {
    first_name: string;
    last_name: string;
    email: string;
    phone_number: PhoneNumber;
  };
}

export interface Account {
  id: string;
  name: string;
  external_id: ExternalId;
  external_uid: string | null;
  tax_id: string | null;
  contact_info: ContactInfo;
}

export interface Tiers {
  customer: Account;
  tier1: Account;
  /** Often absent in real data. */
  tier2?: Account;
}

export interface ParamConstraints {
  required: boolean;
  hidden: boolean;
  readonly: boolean;
  unique: boolean;
}

export interface Param {
  id: string;
  name: string;
  title: string;
  description: string;
  type: ParamType;
  value: string | null;
  value_error: string | null;
  /** Present only on structured parameters (address, phone); Connect leaves it out otherwise. */
  structured_value?: Record<string, unknown>;
  value_choices: string[];
  scope: ParamScope;
  phase: ParamPhase;
  constraints: ParamConstraints;
}

export interface Item {
  id: string;
  global_id: string;
  mpn: string;
  /** A string, like Connect's: may be "unlimited" or a decimal. */
  quantity: string;
  old_quantity: string | null;
  display_name: string;
  period: string;
  item_type: string;
}

export interface AssetConnection {
  id: string;
  type: ConnectionType;
  provider: Ref;
  vendor: Ref;
  hub: Ref;
}

export interface Asset {
  id: string;
  status: AssetStatus;
  external_id: ExternalId;
  external_uid: string | null;
  product: Ref;
  connection: AssetConnection;
  items: Item[];
  params: Param[];
  tiers: Tiers;
  marketplace: Ref;
  contract: Ref;
}

export interface ConnectRequest {
  id: string;
  type: RequestType;
  status: RequestStatus;
  created: string;
  updated: string;
  note: string | null;
  reason: string | null;
  activation_key: string | null;
  answered: boolean;
  assignee: string | null;
  marketplace: Ref;
  contract: Ref;
  /** A snapshot of the asset as this request sees it (its own item quantities and param values). */
  asset: Asset;
}

// ---- catalog -----------------------------------------------------------------------------------------

export interface ParamDefinition {
  id: string;
  title: string;
  description?: string;
  type: ParamType;
  phase: ParamPhase;
  /** Default asset. */
  scope?: ParamScope;
  required?: boolean;
  readonly?: boolean;
  hidden?: boolean;
  unique?: boolean;
  /** The allowed values of a `choice` parameter. */
  choices?: string[];
}

export interface ItemDefinition {
  id: string;
  mpn: string;
  display_name: string;
  unit: string;
  period?: string;
  item_type?: string;
}

export interface Product {
  id: string;
  name: string;
  params: ParamDefinition[];
  items: ItemDefinition[];
}

export interface Connection {
  id: string;
  type: ConnectionType;
  status: 'approved';
  product: Ref;
  provider: Ref;
  vendor: Ref;
  hub: Ref;
  created_at: string;
}

export interface Marketplace {
  id: string;
  name: string;
  currency: string;
  /** `external_id`: the marketplace's id on that hub. */
  hubs: Array<{ hub: Ref; external_id: string }>;
}

// ---- usage -------------------------------------------------------------------------------------------

export interface UsageFile {
  id: string;
  name: string;
  external_id: string;
  status: 'ready' | 'accepted' | 'closed';
  description: string | null;
  environment: ConnectionType;
  schema: 'qt';
  currency: string;
  period: { from: string; to: string };
  product: Ref;
  vendor: Ref;
  provider: Ref;
  marketplace: Ref;
  contract: Ref;
  records: { valid: number; invalid: number; closed: number };
  events: { created: { at: string } };
}

export interface UsageRecord {
  id: string;
  start_date: string;
  end_date: string;
  usage: number;
  amount: number | null;
  status: 'valid' | 'invalid' | 'approved' | 'rejected' | 'closed';
  item: { id: string; mpn: string; name: string; unit: string };
  asset: { id: string; external_id: string; external_uid: string | null };
  params: Array<{ parameter_name: string; parameter_value: string | null }>;
  usagefile: Ref;
}
