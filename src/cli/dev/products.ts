import type { HandlerEntry } from '../../config/types.ts';
import type { ParamRequirement, RulesSpec, TypeRule } from '../../handlers/rules/types.ts';
import type { Router } from '../../fulfillment/router.ts';
import {
  DEMO_PRODUCTS,
  genericProduct,
  type DevProduct,
  type ParamDefinition,
  type ParamType,
  type Product,
} from '../../simulator/index.ts';

/**
 * The simulator's catalog for `dev`: the configured products, as the demo knows them, or made up
 * from what the config says of them (the parameters a rules entry checks), or a plain product.
 */
export function devProducts(entries: readonly HandlerEntry[], router: Router): DevProduct[] {
  const tiered = new Set(router.tierConfigProducts);
  return router.products.map((id) => {
    const rules = entries.find((entry) => entry.rules && entry.products?.includes(id))?.rules;
    const known = DEMO_PRODUCTS.find((product) => product.id === id);
    const product = known ?? madeUpProduct(id, rules, tiered.has(id));
    return { product, tierConfig: tiered.has(id) };
  });
}

const TYPE_OF_FORMAT: Record<string, ParamType> = { email: 'email', domain: 'domain', url: 'url' };

function madeUpProduct(id: string, rules: RulesSpec | undefined, tierConfig: boolean): Product {
  const product = genericProduct(id);
  const { tierConfig: tierRules, ...typeRules } = rules ?? {};
  const asset = requirementsOf(Object.values(typeRules) as Array<TypeRule | undefined>);
  const tier = requirementsOf(Object.values(tierRules ?? {}));
  const params: ParamDefinition[] = [
    ...(asset.length ? asset.map((r) => paramOf(r, 'asset')) : product.params),
    ...tier.map((r) => paramOf(r, 'tier1')),
  ];
  // Without a tier-level parameter a purchase never waits on a tier configuration.
  if (tierConfig && !params.some((p) => p.scope === 'tier1'))
    params.push({
      id: 'reseller_code',
      title: 'Reseller code',
      type: 'text',
      phase: 'ordering',
      scope: 'tier1',
      required: true,
    });
  return { ...product, params };
}

/** Every parameter the rules require, once (the first rule naming it decides its type). */
function requirementsOf(rules: Array<TypeRule | undefined>): ParamRequirement[] {
  const byParam = new Map<string, ParamRequirement>();
  for (const rule of rules)
    for (const requirement of rule?.require ?? [])
      if (!byParam.has(requirement.param)) byParam.set(requirement.param, requirement);
  return [...byParam.values()];
}

function paramOf(requirement: ParamRequirement, scope: 'asset' | 'tier1'): ParamDefinition {
  const type = requirement.oneOf ? 'choice' : (TYPE_OF_FORMAT[requirement.format ?? ''] ?? 'text');
  return {
    id: requirement.param,
    title: requirement.param,
    description: requirement.message,
    type,
    phase: 'ordering',
    scope,
    required: requirement.required !== false,
    ...(requirement.oneOf ? { choices: [...requirement.oneOf] } : {}),
  };
}
