import { invalid, notFound, wrongStatus } from './errors.ts';
import type { Account, Connection, Param, Product, Ref, RequestAction } from './model.ts';
import { asBodyObject, checkLength, optionalText } from './transitions.ts';

/**
 * Tier configuration requests (TCRs, `/tier/config-requests`): Connect asks the vendor to set up
 * (`setup`) or change (`update`) a tier account's configuration of a product, with the product's
 * tier-level parameters. The vendor approves with a template, fails, inquires (after a PUT of the
 * params' value_error) or pends an inquiring one, like an asset request.
 */

export type TierConfigType = 'setup' | 'update';
export type TierConfigStatus = 'pending' | 'inquiring' | 'approved' | 'failed';

interface Moment {
  at: string;
}

export interface TierConfigRequest {
  id: string;
  type: TierConfigType;
  status: TierConfigStatus;
  configuration: {
    id: string;
    name: string;
    account: Account;
    product: Ref;
    tier_level: 1 | 2;
    connection: Pick<Connection, 'id' | 'type' | 'provider' | 'vendor' | 'hub'>;
    marketplace: Ref;
    params: Param[];
  };
  parent_configuration: null;
  params: Param[];
  assignee: null;
  template: { id?: string; name: string };
  reason: string | null;
  notes: string | null;
  environment: Connection['type'];
  sli: { zone: number; days: number };
  events: { created: Moment; updated: Moment; [event: string]: Moment };
}

export interface TierConfigInput {
  id: string;
  type: TierConfigType;
  status: TierConfigStatus;
  product: Product;
  connection: Connection;
  marketplace: Ref;
  account: Account;
  tierLevel: 1 | 2;
  params: Param[];
  created: string;
}

export function buildTierConfigRequest(input: TierConfigInput): TierConfigRequest {
  const { product, connection, account } = input;
  return {
    id: input.id,
    type: input.type,
    status: input.status,
    configuration: {
      id: `TC-${input.id.replace(/^TCR-/, '').replace(/-\d{3}$/, '')}`,
      name: `${account.name} for ${product.name}`,
      account,
      product: { id: product.id, name: product.name },
      tier_level: input.tierLevel,
      connection: {
        id: connection.id,
        type: connection.type,
        provider: connection.provider,
        vendor: connection.vendor,
        hub: connection.hub,
      },
      marketplace: input.marketplace,
      params: [],
    },
    parent_configuration: null,
    params: input.params,
    assignee: null,
    template: { name: '' },
    reason: null,
    notes: null,
    environment: connection.type,
    sli: { zone: 0, days: 2 },
    events: { created: { at: input.created }, updated: { at: input.created } },
  };
}

interface TierConfigRule {
  from: readonly TierConfigStatus[];
  to: TierConfigStatus;
  apply(tcr: TierConfigRequest, body: Record<string, unknown>): void;
}

/** The TCR state machine: as the requests', but approve takes `{"template":{"id":...}}` only. */
const TIER_CONFIG_RULES: Record<RequestAction, TierConfigRule> = {
  approve: {
    from: ['pending'],
    to: 'approved',
    apply(tcr, body) {
      const template = body.template;
      const id =
        typeof template === 'object' && template !== null
          ? optionalText(template as Record<string, unknown>, 'id')
          : undefined;
      if (id === undefined) throw invalid('template.id is required.');
      tcr.template = { id, name: `Template ${id}` };
    },
  },
  fail: {
    from: ['pending', 'inquiring'],
    to: 'failed',
    apply(tcr, body) {
      const reason = optionalText(body, 'reason');
      if (reason === undefined) throw invalid('reason is required.');
      checkLength('reason', reason);
      tcr.reason = reason;
    },
  },
  inquire: {
    from: ['pending'],
    to: 'inquiring',
    apply(tcr) {
      // As for requests: an inquiry that names no parameter tells the account nothing.
      if (!tcr.params.some((param) => typeof param.value_error === 'string' && param.value_error !== ''))
        throw invalid(`${tcr.id} has no parameter with a value_error: set one (PUT) before inquiring.`);
    },
  },
  pend: { from: ['inquiring'], to: 'pending', apply() {} },
};

const PAST_TENSE: Record<RequestAction, string> = {
  approve: 'approved',
  fail: 'failed',
  inquire: 'inquired',
  pend: 'pended',
};

export function performTierConfigAction(
  tcr: TierConfigRequest,
  action: RequestAction,
  body: unknown,
  at: string,
): void {
  const rule = TIER_CONFIG_RULES[action];
  if (!rule.from.includes(tcr.status))
    throw wrongStatus(`${tcr.id} is ${tcr.status}: ${action} is allowed only from ${rule.from.join(', ')}.`);
  rule.apply(tcr, asBodyObject(body));
  tcr.status = rule.to;
  tcr.events[PAST_TENSE[action]] = { at };
}

/** PUT /tier/config-requests/{id}: `{"params":[{"id","value"?,"value_error"?}]}`, checked whole first. */
export function updateTierConfigRequest(tcr: TierConfigRequest, body: unknown): void {
  if (tcr.status === 'approved' || tcr.status === 'failed')
    throw wrongStatus(`${tcr.id} is ${tcr.status}: it can no longer be changed.`);
  const { params } = asBodyObject(body);
  if (params === undefined) return;
  if (!Array.isArray(params)) throw invalid('params must be an array.');
  const changes = params.map((entry: unknown, index) => {
    const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof fields.id !== 'string') throw invalid(`params[${index}] must be an object with a string id.`);
    const param = tcr.params.find((p) => p.id === fields.id);
    if (!param) throw invalid(`Parameter ${fields.id} does not exist on ${tcr.id}.`);
    for (const field of ['value', 'value_error'] as const) {
      const value = fields[field];
      if (value !== undefined && value !== null && typeof value !== 'string')
        throw invalid(`params[${param.id}].${field} must be a string or null.`);
    }
    return {
      param,
      value: fields.value as string | null | undefined,
      error: fields.value_error as string | null | undefined,
    };
  });
  for (const { param, value, error } of changes) {
    if (value !== undefined) param.value = value;
    if (error !== undefined) param.value_error = error;
  }
}

export function missingTierConfig(id: string): never {
  throw notFound(`Tier configuration request ${id} not found.`);
}
