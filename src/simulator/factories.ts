import type { Account, Item, ItemDefinition, Param, ParamDefinition } from './model.ts';
import type { Random } from './random.ts';

/** Builders of full-shape Connect objects from catalog definitions and a PRNG. */

export function makeParam(
  definition: ParamDefinition,
  value: string | null = null,
  valueError: string | null = null,
): Param {
  return {
    id: definition.id,
    name: definition.id,
    title: definition.title,
    description: definition.description ?? '',
    type: definition.type,
    value,
    value_error: valueError,
    value_choices: definition.choices ?? [],
    scope: definition.scope ?? 'asset',
    phase: definition.phase,
    constraints: {
      required: definition.required ?? false,
      hidden: definition.hidden ?? false,
      readonly: definition.readonly ?? false,
      unique: definition.unique ?? false,
    },
  };
}

export function makeItem(
  definition: ItemDefinition,
  quantity: string,
  oldQuantity: string | null = null,
): Item {
  return {
    id: definition.id,
    global_id: definition.id,
    mpn: definition.mpn,
    quantity,
    old_quantity: oldQuantity,
    display_name: definition.display_name,
    period: definition.period ?? 'Monthly',
    item_type: definition.item_type ?? 'Reservation',
  };
}

const FIRST_NAMES = [
  'John',
  'Maria',
  'Aiko',
  'Liam',
  'Fatima',
  'Noah',
  'Elena',
  'Kwame',
  'Sofia',
  'Lars',
  'Priya',
  'Mateo',
];
const LAST_NAMES = [
  'Doe',
  'Garcia',
  'Tanaka',
  'Murphy',
  'Khan',
  'Schmidt',
  'Rossi',
  'Mensah',
  'Silva',
  'Nilsen',
  'Patel',
  'Lopez',
];
const COMPANY_WORDS = [
  'Northwind',
  'Contoso',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Tyrell',
  'Acme',
  'Hooli',
  'Vandelay',
  'Soylent',
];
const COMPANY_SUFFIXES = ['Inc', 'LLC', 'Ltd', 'Corp', 'GmbH'];
const CITIES = [
  { city: 'Atlanta', state: 'Georgia', postal_code: '30303', country: 'US', area: '404' },
  { city: 'Austin', state: 'Texas', postal_code: '73301', country: 'US', area: '512' },
  { city: 'Seattle', state: 'Washington', postal_code: '98101', country: 'US', area: '206' },
  { city: 'Boston', state: 'Massachusetts', postal_code: '02108', country: 'US', area: '617' },
  { city: 'Denver', state: 'Colorado', postal_code: '80202', country: 'US', area: '303' },
];
const STREETS = ['Peachtree St', 'Congress Ave', 'Pike St', 'Beacon St', 'Larimer St', 'Main St'];

export type AccountRole = 'customer' | 'reseller' | 'distributor';

/** A tier account with full contact info; ids come from `nextId` so they stay unique in the store. */
export function makeAccount(random: Random, id: string, role: AccountRole): Account {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const place = random.pick(CITIES);
  const company = `${random.pick(COMPANY_WORDS)} ${role === 'customer' ? random.pick(['Dental', 'Logistics', 'Studios', 'Bakery', 'Legal']) : random.pick(['Cloud', 'IT Services', 'Solutions'])} ${random.pick(COMPANY_SUFFIXES)}`;
  const domain = `${company.split(' ')[0]!.toLowerCase()}.example.com`;
  return {
    id,
    name: company,
    external_id: random.digits(6),
    external_uid: `${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-a${random.hex(3)}-${random.hex(12)}`,
    // Real data: a tax id is often missing, and so is the second address line.
    tax_id: random.chance(0.6) ? `US${random.digits(9)}` : null,
    contact_info: {
      address_line1: `${random.int(1, 999)} ${random.pick(STREETS)}`,
      address_line2: random.chance(0.3) ? `Suite ${random.int(100, 999)}` : null,
      city: place.city,
      state: place.state,
      postal_code: place.postal_code,
      country: place.country,
      contact: {
        first_name: first,
        last_name: last,
        email: `${first.toLowerCase()}.${last.toLowerCase()}@${domain}`,
        phone_number: {
          country_code: '+1',
          area_code: place.area,
          phone_number: random.digits(7),
          extension: '',
        },
      },
    },
  };
}
