import { describe, expect, it } from '@jest/globals';
import { devProducts } from '../../src/cli/dev/products.ts';
import type { HandlerEntry } from '../../src/config/types.ts';
import type { RulesSpec } from '../../src/handlers/rules/types.ts';
import { loadHandlers } from '../../src/fulfillment/loader.ts';
import {
  FALLBALL,
  NORTHWIND_PBX,
  SimulatorStore,
  genericProduct,
  seedDevProducts,
  type ConnectRequest,
} from '../../src/simulator/index.ts';

const param = (request: ConnectRequest, id: string) => request.asset.params.find((p) => p.id === id);

describe('the dev seed: a queue for each configured product', () => {
  const plain = genericProduct('PRD-900-000-001');
  const store = new SimulatorStore({ seed: 7 });
  seedDevProducts(store, [{ product: plain }, { product: NORTHWIND_PBX, tierConfig: true }]);
  const of = (productId: string) => store.listRequests().filter((r) => r.asset.product.id === productId);

  it('holds a pending request of every asset type for each product, and nothing of other products', () => {
    expect(store.listProducts().map((p) => p.id)).toEqual([plain.id, NORTHWIND_PBX.id]);
    for (const product of [plain, NORTHWIND_PBX]) {
      const pendingTypes = new Set(
        of(product.id)
          .filter((r) => r.status === 'pending')
          .map((r) => r.type),
      );
      expect([...pendingTypes].sort()).toEqual(['cancel', 'change', 'purchase', 'resume', 'suspend']);
    }
  });

  it('has a pending purchase with a bad value, and an inquiring one with the error shown to the customer', () => {
    const purchases = of(plain.id).filter((r) => r.type === 'purchase');
    const bad = purchases.filter((r) => r.status === 'pending' && param(r, 'email')?.value === 'john.doe@');
    expect(bad).toHaveLength(1);
    const inquiring = purchases.filter((r) => r.status === 'inquiring');
    expect(inquiring).toHaveLength(1);
    expect(param(inquiring[0]!, 'email')).toMatchObject({
      value: 'john.doe@',
      value_error: 'Please enter a valid e-mail address.',
    });
  });

  it('adds tier config requests only where the handler takes them: setup (a good and a bad answer) and update', () => {
    const tcrs = store.listTierConfigRequests();
    expect(tcrs.every((t) => t.configuration.product.id === NORTHWIND_PBX.id)).toBe(true);
    const pending = tcrs.filter((t) => t.status === 'pending');
    expect(pending.map((t) => t.type).sort()).toEqual(['setup', 'setup', 'update']);
    const codes = pending
      .filter((t) => t.type === 'setup')
      .map((t) => t.params.find((p) => p.id === 'reseller_code')?.value)
      .sort();
    expect(codes).toEqual(['NW-4417', 'n/a']);
    // Their purchases wait on them, as in Connect.
    expect(of(NORTHWIND_PBX.id).filter((r) => r.status === 'tiers_setup')).toHaveLength(2);
  });
});

describe('the dev catalog: the configured products', () => {
  const entries: HandlerEntry[] = [
    {
      products: ['PRD-900-000-002'],
      rules: {
        purchase: {
          require: [
            { param: 'admin_email', format: 'email', message: 'Enter an e-mail.' },
            { param: 'plan', oneOf: ['basic', 'pro'], message: 'Pick a plan.' },
          ],
          approve: { templateId: 'TL-1' },
        },
        tierConfig: {
          setup: {
            require: [{ param: 'partner_id', pattern: 'P-\\d+', message: 'Partner id?' }],
            approve: { templateId: 'TL-2' },
          },
        },
      } as unknown as RulesSpec, // the type's index signature cannot hold both kinds of key
    },
    {
      products: [FALLBALL.id],
      rules: { purchase: { approve: { templateId: 'TL-3' } } },
    },
  ];

  it('takes a known product from the demo catalog, and makes up another from the parameters its rules check', async () => {
    const router = await loadHandlers(entries);
    const products = devProducts(entries, router);
    expect(products.map((p) => [p.product.id, p.tierConfig])).toEqual([
      ['PRD-900-000-002', true],
      [FALLBALL.id, false],
    ]);
    expect(products[1]!.product).toEqual(FALLBALL);
    const made = products[0]!.product.params.map((p) => [p.id, p.type, p.scope, p.choices]);
    expect(made).toEqual([
      ['admin_email', 'email', 'asset', undefined],
      ['plan', 'choice', 'asset', ['basic', 'pro']],
      ['partner_id', 'text', 'tier1', undefined],
    ]);
  });
});
