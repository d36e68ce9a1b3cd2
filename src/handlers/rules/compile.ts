import { REQUEST_TYPES } from '../../connect/schemas.ts';
import type { HandlerFunction, VendorHandler } from '../../fulfillment/handler.ts';
import { approve, fail, inquire, type Outcome, type ParamValues } from '../../fulfillment/outcomes.ts';
import { matchesFormat } from './formats.ts';
import type { ParamRequirement, RulesSpec, TypeRule } from './types.ts';

/** A tier config request function; the shape a module exports as `tierConfig.setup|update`. */
type TierConfigFunction = (request: unknown) => Outcome;

/** The VendorHandler a checked `rules:` entry stands for: one function per request type it names. */
export function compileRules(
  spec: RulesSpec,
  name: string,
): VendorHandler & { tierConfig?: { setup?: TierConfigFunction; update?: TierConfigFunction } } {
  const handler: Record<string, unknown> = { name };
  for (const type of REQUEST_TYPES) {
    const rule = spec[type];
    if (rule) handler[type] = decide.bind(null, rule) as HandlerFunction;
  }
  if (spec.tierConfig) {
    const tierConfig: Record<string, TierConfigFunction> = {};
    for (const type of ['setup', 'update'] as const) {
      const rule = spec.tierConfig[type];
      if (rule) tierConfig[type] = decide.bind(null, rule);
    }
    handler.tierConfig = tierConfig;
  }
  return handler as ReturnType<typeof compileRules>;
}

/** Inquire with the message of every requirement that fails; otherwise the rule's own action. */
export function decide(rule: TypeRule, request: unknown): Outcome {
  const values = paramValues(request);
  const failing: ParamValues = {};
  for (const requirement of rule.require ?? []) {
    if (!satisfies(requirement, values.get(requirement.param)))
      failing[requirement.param] = requirement.message;
  }
  if (Object.keys(failing).length > 0) return inquire(failing);
  return 'fail' in rule ? fail(rule.fail.reason) : approve(rule.approve);
}

function satisfies(requirement: ParamRequirement, value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return requirement.required === false;
  if (requirement.format && !matchesFormat(requirement.format, value.trim())) return false;
  if (requirement.pattern && !new RegExp(`^(?:${requirement.pattern})$`).test(value)) return false;
  if (requirement.oneOf && !requirement.oneOf.includes(value)) return false;
  return true;
}

/** Asset requests carry their parameters on the asset, tier config requests on themselves. */
function paramValues(request: unknown): Map<string, string> {
  const r = request as { asset?: { params?: unknown }; params?: unknown };
  const list = Array.isArray(r.asset?.params) ? r.asset.params : Array.isArray(r.params) ? r.params : [];
  const values = new Map<string, string>();
  for (const param of list as Array<{ id?: unknown; value?: unknown }>) {
    if (typeof param.id !== 'string') continue;
    const value = param.value;
    if (typeof value === 'string') values.set(param.id, value);
    else if (typeof value === 'number' || typeof value === 'boolean') values.set(param.id, String(value));
  }
  return values;
}
