import { z } from 'zod';
import { parseElement, type JsonElement } from './json-array.ts';

/**
 * What the daemon reads from Connect, validated. Real data is messy (CONNECT-API.md): empty fields
 * come as null, external ids as numbers, quantities as strings ("unlimited", decimals), tier2 is often
 * absent and new fields appear. So every object is loose (unknown fields are kept as they came), only
 * the fields the daemon relies on are required, and nothing is transformed: handlers get the request
 * exactly as Connect sent it.
 */
const str = z.string().nullish();
const idName = z.looseObject({ id: z.string(), name: str });
const idOrNumber = z.union([z.string(), z.number()]).nullish();

export const ParamSchema = z.looseObject({
  id: z.string(),
  name: str,
  title: str,
  description: str,
  type: str,
  value: z.unknown().optional(),
  value_error: str,
  structured_value: z.unknown().optional(),
  value_choices: z.unknown().optional(),
  scope: str,
  phase: str,
  constraints: z
    .looseObject({
      required: z.boolean().nullish(),
      hidden: z.boolean().nullish(),
      readonly: z.boolean().nullish(),
      unique: z.boolean().nullish(),
    })
    .nullish(),
});

export const ItemSchema = z.looseObject({
  id: z.string(),
  global_id: str,
  mpn: str,
  quantity: idOrNumber,
  old_quantity: idOrNumber,
  display_name: str,
  period: str,
  item_type: str,
});

const PhoneSchema = z.looseObject({
  country_code: str,
  area_code: str,
  phone_number: str,
  extension: str,
});

const ContactInfoSchema = z.looseObject({
  address_line1: str,
  address_line2: str,
  city: str,
  state: str,
  postal_code: str,
  country: str,
  contact: z
    .looseObject({ first_name: str, last_name: str, email: str, phone_number: PhoneSchema.nullish() })
    .nullish(),
});

export const AccountSchema = z.looseObject({
  id: z.string().nullish(),
  name: str,
  external_id: idOrNumber,
  external_uid: str,
  tax_id: str,
  contact_info: ContactInfoSchema.nullish(),
});

export const AssetSchema = z.looseObject({
  id: z.string(),
  status: str,
  external_id: idOrNumber,
  external_uid: str,
  product: idName,
  connection: z
    .looseObject({
      id: z.string(),
      type: str,
      provider: idName.nullish(),
      vendor: idName.nullish(),
      hub: idName.nullish(),
    })
    .nullish(),
  items: z.array(ItemSchema).nullish(),
  params: z.array(ParamSchema).nullish(),
  tiers: z
    .looseObject({
      customer: AccountSchema.nullish(),
      tier1: AccountSchema.nullish(),
      tier2: AccountSchema.nullish(),
    })
    .nullish(),
});

export const RequestTypeSchema = z.string();
export const REQUEST_TYPES = ['purchase', 'change', 'suspend', 'resume', 'cancel', 'adjustment'] as const;
export type KnownRequestType = (typeof REQUEST_TYPES)[number];

export const FulfillmentRequestSchema = z.looseObject({
  id: z.string().min(1),
  type: RequestTypeSchema,
  status: z.string(),
  created: z.string().min(1),
  updated: str,
  note: str,
  reason: str,
  activation_key: str,
  answered: z.boolean().nullish(),
  assignee: z.unknown().optional(),
  marketplace: idName.nullish(),
  contract: idName.nullish(),
  asset: AssetSchema,
});

/**
 * A tier configuration request (`TCR-...`): Connect asks the vendor to set up (or update) a tier
 * account's configuration of a product. Required is what routing and acting rely on: the id, type,
 * status and the configuration's product; the account and params are there to be read.
 */
export const TierConfigRequestSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string(),
  status: z.string(),
  configuration: z.looseObject({
    id: str,
    tier_level: z.number().nullish(),
    product: idName,
    account: AccountSchema.nullish(),
    marketplace: idName.nullish(),
    connection: z.looseObject({ id: z.string(), type: str }).nullish(),
    params: z.array(ParamSchema).nullish(),
  }),
  params: z.array(ParamSchema).nullish(),
  reason: str,
  notes: str,
  template: z.looseObject({ id: str }).nullish(),
  events: z
    .looseObject({
      created: z.looseObject({ at: str }).nullish(),
      updated: z.looseObject({ at: str }).nullish(),
    })
    .nullish(),
});

export type TierConfigRequest = z.infer<typeof TierConfigRequestSchema>;
export type FulfillmentRequest = z.infer<typeof FulfillmentRequestSchema>;
export type Asset = z.infer<typeof AssetSchema>;
export type Param = z.infer<typeof ParamSchema>;
export type Account = z.infer<typeof AccountSchema>;

export interface InvalidItem {
  /** The item's id when it has one, so the operator can look it up. */
  id: string | undefined;
  index: number;
  problems: string[];
}

/**
 * Validates each element of a listing page on its own: one malformed item is set aside, the rest of
 * the page is used. For schemas without transforms or defaults only: valid items are returned as they came.
 */
export function parseItems<T>(
  elements: readonly JsonElement[],
  schema: z.ZodType<T>,
): { valid: T[]; invalid: InvalidItem[] } {
  const valid: T[] = [];
  const invalid: InvalidItem[] = [];
  elements.forEach((element, index) => {
    const checked = parseItem(element, index, schema);
    if (checked.ok) valid.push(checked.item);
    else invalid.push(checked.invalid);
  });
  return { valid, invalid };
}

/** One listed element (at `index` of its page), parsed and validated as parseItems does. */
export function parseItem<T>(
  element: JsonElement,
  index: number,
  schema: z.ZodType<T>,
): { ok: true; item: T } | { ok: false; invalid: InvalidItem } {
  const parsed = parseElement(element);
  if (!parsed.ok) return { ok: false, invalid: { id: undefined, index, problems: [parsed.problem] } };
  const item = parsed.value;
  const result = schema.safeParse(item);
  // The item itself, not zod's deep copy of it: these schemas only check (no transforms, no
  // defaults), so both are the same data, and a listing of 10,000 requests makes half the garbage.
  if (result.success) return { ok: true, item: item as T };
  return { ok: false, invalid: { id: idOf(item), index, problems: describeIssues(result.error) } };
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

function idOf(item: unknown): string | undefined {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** `Content-Range: items 0-99/250` → { first: 0, last: 99, total: 250 }. */
export function parseContentRange(
  header: string | string[] | undefined,
): { first: number; last: number; total: number } | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^items\s+(\d+)-(\d+)\/(\d+)$/.exec(value.trim()) : null;
  if (!match) return undefined;
  return { first: Number(match[1]), last: Number(match[2]), total: Number(match[3]) };
}
