import type { ConnectionType, Product, Ref } from './model.ts';

/**
 * The demo catalog: the vendor's two products, the hubs and marketplace they are sold through, and the
 * parties of their connections. The ids are the ones the example handlers and docs refer to.
 */

export const FALLBALL_ID = 'PRD-276-377-545';
export const ACME_BACKUP_ID = 'PRD-561-716-033';
/** Run by rules in the config alone (examples/rules/contoso-mail.yaml): no handler code. */
export const CONTOSO_MAIL_ID = 'PRD-318-044-707';
/** Has a reseller-level parameter: its purchases wait in tiers_setup on a tier config request. */
export const NORTHWIND_PBX_ID = 'PRD-604-522-081';

export const PRODUCTION_HUB: Ref = { id: 'HB-0309-9389', name: 'Ingram Micro US Hub' };
export const TEST_HUB: Ref = { id: 'HB-1210-4432', name: 'Ingram Micro Staging Hub' };
export const PROVIDER: Ref = { id: 'PA-063-101', name: 'Ingram Micro Prod DA' };
export const VENDOR: Ref = { id: 'VA-610-138', name: 'Large Largo and Co' };
export const CONTRACT: Ref = { id: 'CRD-41560-05399-123', name: 'Ingram Micro US distribution contract' };

export const MARKETPLACES = [
  {
    id: 'MP-91673',
    name: 'Ingram Micro US Cloud',
    currency: 'USD',
    hubs: [{ hub: PRODUCTION_HUB, external_id: 'US-CLOUD' }],
  },
  {
    id: 'MP-54865',
    name: 'Ingram Micro Staging',
    currency: 'USD',
    hubs: [{ hub: TEST_HUB, external_id: 'US-STAGING' }],
  },
];
export const DEFAULT_MARKETPLACE: Ref = { id: 'MP-91673', name: 'Ingram Micro US Cloud' };

export const FALLBALL: Product = {
  id: FALLBALL_ID,
  name: 'Fallball Cloud Storage',
  params: [
    {
      id: 'email',
      title: 'Administrator e-mail',
      description: 'The account administrator receives the sign-in link.',
      type: 'email',
      phase: 'ordering',
      required: true,
    },
    {
      id: 'domain',
      title: 'Company domain',
      description: 'Used for single sign-on.',
      type: 'text',
      phase: 'ordering',
    },
    {
      id: 'subscription_id',
      title: 'Fallball subscription',
      description: 'Set by the vendor on activation.',
      type: 'text',
      phase: 'fulfillment',
      readonly: true,
    },
  ],
  items: [
    {
      id: `${FALLBALL_ID}-0001`,
      mpn: 'FB-USERS',
      display_name: 'Fallball users',
      unit: 'users',
      item_type: 'Reservation',
    },
    {
      id: `${FALLBALL_ID}-0002`,
      mpn: 'FB-STORAGE-TB',
      display_name: 'Fallball storage',
      unit: 'TB',
      item_type: 'PPU',
    },
  ],
};

export const ACME_BACKUP: Product = {
  id: ACME_BACKUP_ID,
  name: 'Acme Backup',
  params: [
    {
      id: 'region',
      title: 'Region',
      description: 'Where the backup vault lives.',
      type: 'choice',
      phase: 'ordering',
      required: true,
      choices: ['eu-west', 'us-east'],
    },
    {
      id: 'backup_vault_id',
      title: 'Backup vault',
      description: 'Set by the vendor once the vault is provisioned.',
      type: 'text',
      phase: 'fulfillment',
      readonly: true,
    },
  ],
  items: [
    {
      id: `${ACME_BACKUP_ID}-0001`,
      mpn: 'ACME-VAULT-1TB',
      display_name: 'Backup vault, 1 TB',
      unit: 'vaults',
      item_type: 'Reservation',
    },
  ],
};

export const CONTOSO_MAIL: Product = {
  id: CONTOSO_MAIL_ID,
  name: 'Contoso Mail',
  params: [
    {
      id: 'admin_email',
      title: 'Administrator e-mail',
      description: 'Receives the mailbox setup instructions.',
      type: 'email',
      phase: 'ordering',
      required: true,
    },
    {
      id: 'mail_domain',
      title: 'Mail domain',
      description: 'The domain the mailboxes are created in.',
      type: 'text',
      phase: 'ordering',
      required: true,
    },
    {
      id: 'plan',
      title: 'Plan',
      type: 'choice',
      phase: 'ordering',
      required: true,
      choices: ['standard', 'premium'],
    },
  ],
  items: [
    {
      id: `${CONTOSO_MAIL_ID}-0001`,
      mpn: 'CM-MAILBOX',
      display_name: 'Contoso mailbox',
      unit: 'mailboxes',
      item_type: 'Reservation',
    },
  ],
};

export const NORTHWIND_PBX: Product = {
  id: NORTHWIND_PBX_ID,
  name: 'Northwind Cloud PBX',
  params: [
    {
      id: 'admin_email',
      title: 'Administrator e-mail',
      type: 'email',
      phase: 'ordering',
      required: true,
    },
    {
      id: 'reseller_code',
      title: 'Northwind reseller code',
      description: 'The reseller gives it once, for all its customers (NW- and four digits).',
      type: 'text',
      phase: 'ordering',
      scope: 'tier1',
      required: true,
    },
  ],
  items: [
    {
      id: `${NORTHWIND_PBX_ID}-0001`,
      mpn: 'NW-PBX-EXT',
      display_name: 'PBX extension',
      unit: 'extensions',
      item_type: 'Reservation',
    },
  ],
};

export const DEMO_PRODUCTS: readonly Product[] = [FALLBALL, ACME_BACKUP, CONTOSO_MAIL, NORTHWIND_PBX];

/** Connection ids per product and hub: one connection per (product, hub), as Connect has it. */
export function connectionIdFor(productIndex: number, type: ConnectionType): string {
  const serial = String(productIndex + 1).padStart(4, '0');
  return type === 'production' ? `CT-0000-0000-${serial}` : `CT-0000-0001-${serial}`;
}

/** A plain product for tests and benchmarks: one text ordering parameter `email`, one item. */
export function genericProduct(id: string, name = `Product ${id}`): Product {
  return {
    id,
    name,
    params: [
      { id: 'email', title: 'Administrator e-mail', type: 'email', phase: 'ordering', required: true },
      { id: 'account_id', title: 'Account', type: 'text', phase: 'fulfillment', readonly: true },
    ],
    items: [
      {
        id: `${id}-0001`,
        mpn: `${id.replace(/^PRD-/, 'SKU-')}-1`,
        display_name: `${name} seat`,
        unit: 'seats',
        item_type: 'Reservation',
      },
    ],
  };
}
