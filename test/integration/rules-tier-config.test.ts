import { afterEach, describe, expect, it } from '@jest/globals';
import { compileRules } from '../../src/handlers/rules/compile.ts';
import type { RulesSpec } from '../../src/handlers/rules/types.ts';
import { FALLBALL } from '../../src/simulator/index.ts';
import type { Product } from '../../src/simulator/model.ts';
import { startHarness, type Harness } from '../support/harness.ts';

/** A `rules:` entry handles tier config requests like a module's `tierConfig` (DESIGN.md). */

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const TIERED: Product = {
  ...FALLBALL,
  id: 'PRD-900-200-001',
  name: 'Tiered Mail',
  params: [
    ...FALLBALL.params,
    { id: 'reseller_code', title: 'Reseller code', type: 'text', phase: 'ordering', scope: 'tier1' },
  ],
};

describe('rules for tier config requests', () => {
  it('approve a setup TCR whose params pass, inquire one whose do not, on exactly the failing param', async () => {
    const rules = compileRules(
      {
        tierConfig: {
          setup: {
            require: [
              { param: 'reseller_code', pattern: 'R-\\d{4}', message: 'The code looks like R-1234.' },
            ],
            approve: { templateId: 'TL-TIER-RULES' },
          },
        },
      } as RulesSpec,
      'rules[0]',
    );
    harness = await startHarness({ handlers: [{ ...rules, products: [TIERED.id] }] });
    const { store } = harness.sim;
    store.addProduct(TIERED);
    // Two resellers' accounts (taken from purchases of a product without tier parameters).
    const accountOf = () => store.addRequest({ productId: FALLBALL.id }).asset.tiers.tier1;
    const tcrOf = (reseller_code: string) =>
      store.addTierConfigRequest({ productId: TIERED.id, account: accountOf(), params: { reseller_code } });
    const [good, bad] = [tcrOf('R-0042'), tcrOf('reseller 42')];

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ tcrFound: 2, tcrApproved: 1, tcrInquired: 1, tcrErrors: 0 });
    expect(store.getTierConfigRequest(good.id)).toMatchObject({
      status: 'approved',
      template: { id: 'TL-TIER-RULES' },
    });
    const inquired = store.getTierConfigRequest(bad.id)!;
    expect(inquired.status).toBe('inquiring');
    expect(inquired.params.filter((p) => p.value_error).map((p) => [p.id, p.value_error])).toEqual([
      ['reseller_code', 'The code looks like R-1234.'],
    ]);
    expect(harness.logs.events('tcr.processed').map((e) => e.handler)).toEqual(['rules[0]', 'rules[0]']);
  });
});
