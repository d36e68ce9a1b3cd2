import { z } from 'zod';

/**
 * The input of the distributor actions, checked before any call: every problem names its field, so
 * the CLI can name the flag and a library caller the property.
 */

export interface InputProblem {
  /** The input field, dotted for nested ones: `tier1.contact_info.city`. */
  field: string;
  problem: string;
}

export class DistributorInputError extends Error {
  override readonly name = 'DistributorInputError';
  readonly problems: readonly InputProblem[];

  constructor(problems: InputProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.problem}`).join('; '));
    this.problems = problems;
  }
}

export function inputError(field: string, problem: string): DistributorInputError {
  return new DistributorInputError([{ field, problem }]);
}

/** Validates an action's input against its schema; every problem is reported, each naming its field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new DistributorInputError(
    parsed.error.issues.flatMap((issue) => {
      const path = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ field: [...path, key].join('.'), problem: 'unknown field' }));
      }
      return [{ field: path.join('.') || '(input)', problem: issue.message }];
    }),
  );
}

// ---- input schemas ---------------------------------------------------------------------------------

/** "required" for a missing value, "expected ..." for one of the wrong type; other checks keep their own message. */
const typed = (what: string) => ({
  error: (issue: { code?: string; input?: unknown }) =>
    issue.code === 'invalid_type' ? (issue.input === undefined ? 'required' : `expected ${what}`) : undefined,
});
const text = z.string(typed('text')).trim().min(1, 'must not be empty');
const connectId = (pattern: RegExp, example: string) =>
  z
    .string(typed(`an id like ${example}`))
    .trim()
    .regex(pattern, `expected an id like ${example}`);

export const HubIdSchema = connectId(/^HB-\d+-\d+$/, 'HB-0309-9389');
export const ProductIdSchema = connectId(/^PRD-\d+-\d+-\d+$/, 'PRD-276-377-545');
export const ItemIdSchema = connectId(/^PRD-\d+-\d+-\d+-\d+$/, 'PRD-276-377-545-0001');
const quantity = z.number(typed('a number')).int('must be a whole number');

/** The product an item belongs to: PRD-276-377-545-0001 → PRD-276-377-545. */
export function productOfItem(itemId: string): string {
  return itemId.replace(/-\d+$/, '');
}

const AccountInputSchema = z.strictObject(
  {
    name: text,
    /** Connect matches tier accounts on it; JSON files often hold it as a number. */
    external_id: z.union([text, z.number().int()], typed('text')).transform(String),
    external_uid: text.optional(),
    tax_id: text.optional(),
    contact_info: z.strictObject(
      {
        address_line1: text,
        address_line2: text.optional(),
        city: text,
        state: text.optional(),
        postal_code: text,
        country: z
          .string(typed('a country code'))
          .regex(/^[A-Z]{2}$/, 'expected a two-letter country code like US'),
        contact: z.strictObject(
          {
            first_name: text,
            last_name: text,
            email: z.email({
              error: (issue) => (issue.input === undefined ? 'required' : 'expected an email address'),
            }),
            phone_number: z
              .strictObject({
                country_code: z.string().optional(),
                area_code: z.string().optional(),
                phone_number: text,
                extension: z.string().optional(),
              })
              .optional(),
          },
          typed('an object'),
        ),
      },
      typed('an object'),
    ),
  },
  typed('an account object'),
);

export const PurchaseInputSchema = z
  .strictObject({
    /** The subscription's id in the distributor's system. */
    externalId: text,
    /** Generated (a UUID) when absent. */
    externalUid: text.optional(),
    hubId: HubIdSchema,
    /** The marketplace's name, as shown in Connect. */
    marketplace: text,
    tier1: AccountInputSchema,
    customer: AccountInputSchema.optional(),
    /** Derived from the item id when absent. */
    productId: ProductIdSchema.optional(),
    itemId: ItemIdSchema,
    quantity: quantity.min(1, 'must be at least 1'),
    /** Ordering parameters: `{ PARAM_ID: 'value' }`. */
    params: z.record(text, z.string(typed('text'))).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.productId !== undefined && productOfItem(input.itemId) !== input.productId) {
      ctx.addIssue({
        code: 'custom',
        path: ['itemId'],
        message: `${input.itemId} is not an item of product ${input.productId}`,
      });
    }
  });

/** Identifies an existing asset the way the distributor knows it. */
export const AssetRefSchema = z.strictObject({
  externalId: text,
  /** Needed only when several live assets share the external id. */
  externalUid: text.optional(),
});

export const ChangeInputSchema = AssetRefSchema.extend({
  /** The item to change; may be left out when the asset has exactly one item. */
  itemGlobalId: z
    .string(typed('text'))
    .trim()
    .regex(/^\S+$/, 'expected an item id like PRD-276-377-545-0001')
    .optional(),
  /** The new quantity (0 removes the item). A change without it would change nothing. */
  quantity: quantity.min(0, 'must not be negative'),
});

export type PurchaseInput = z.input<typeof PurchaseInputSchema>;
export type ChangeInput = z.input<typeof ChangeInputSchema>;
export type AssetRef = z.input<typeof AssetRefSchema>;
export type AccountInput = z.input<typeof AccountInputSchema>;
