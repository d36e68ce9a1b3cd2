import { invalid, wrongStatus } from './errors.ts';
import type { Asset, AssetStatus, ConnectRequest, RequestAction, RequestStatus } from './model.ts';

/**
 * The request state machine of CONNECT-API.md ("Actions", "Types, statuses, transitions"): which
 * status each vendor action is allowed from, what its body must hold, and what it does to the asset.
 */

/** Connect's limit on `activation_tile` and `reason` (markdown). */
export const MARKDOWN_MAX = 4096;

export const TERMINAL_STATUSES: ReadonlySet<RequestStatus> = new Set(['approved', 'failed', 'revoked']);

interface ActionRule {
  from: readonly RequestStatus[];
  to: RequestStatus;
  /** Throws a 400 when the body (or, for inquire, the request) does not allow the action; else applies it. */
  apply(request: ConnectRequest, body: Record<string, unknown>): void;
}

export const ACTION_RULES: Record<RequestAction, ActionRule> = {
  approve: {
    from: ['pending'],
    to: 'approved',
    apply(request, body) {
      const templateId = optionalText(body, 'template_id');
      const tile = optionalText(body, 'activation_tile');
      if (templateId === undefined && tile === undefined)
        throw invalid('Either template_id or activation_tile is required.');
      if (tile !== undefined) checkLength('activation_tile', tile);
      request.activation_key = tile ?? `Activated with template ${templateId}.`;
    },
  },
  fail: {
    from: ['pending', 'inquiring', 'tiers_setup'],
    to: 'failed',
    apply(request, body) {
      const reason = optionalText(body, 'reason');
      if (reason === undefined) throw invalid('reason is required.');
      checkLength('reason', reason);
      request.reason = reason;
    },
  },
  inquire: {
    from: ['pending'],
    to: 'inquiring',
    apply(request) {
      // The simulator's own strictness: Connect's docs only say "first PUT the params' value_error".
      // Refusing an inquiry that tells the customer nothing catches a client that skipped that PUT.
      if (
        !request.asset.params.some(
          (param) => typeof param.value_error === 'string' && param.value_error !== '',
        )
      ) {
        throw invalid(
          `Request ${request.id} has no parameter with a value_error: set one (PUT /requests/${request.id}) before inquiring.`,
        );
      }
    },
  },
  pend: {
    from: ['inquiring'],
    to: 'pending',
    apply() {},
  },
};

/** Checks and performs an action on the request (not yet its asset: see settleAsset). */
export function performAction(request: ConnectRequest, action: RequestAction, body: unknown): void {
  const rule = ACTION_RULES[action];
  if (!rule.from.includes(request.status)) {
    throw wrongStatus(
      `Request ${request.id} is ${request.status}: ${action} is allowed only from ${rule.from.join(', ')}.`,
    );
  }
  rule.apply(request, asBodyObject(body));
  request.status = rule.to;
}

/** What an approved request of each type does to its asset's status (change and adjustment: nothing). */
const STATUS_ON_APPROVE: Partial<Record<ConnectRequest['type'], AssetStatus>> = {
  purchase: 'active',
  resume: 'active',
  suspend: 'suspended',
  cancel: 'terminated',
};

/**
 * Carries a finished request over to the stored asset: an approved request's parameter values (the
 * vendor's fulfillment parameters) and item quantities, and the asset status it implies; a failed
 * purchase terminates the asset that never came to life.
 */
export function settleAsset(asset: Asset, request: ConnectRequest): void {
  if (request.status === 'failed' && request.type === 'purchase') asset.status = 'terminated';
  if (request.status === 'approved') {
    for (const param of request.asset.params) {
      const target = asset.params.find((p) => p.id === param.id);
      if (target)
        Object.assign(target, {
          value: param.value,
          value_error: null,
          ...(param.structured_value && { structured_value: param.structured_value }),
        });
    }
    if (request.type === 'change' || request.type === 'purchase') applyQuantities(asset, request);
    asset.status = STATUS_ON_APPROVE[request.type] ?? asset.status;
  }
  request.asset.status = asset.status;
}

function applyQuantities(asset: Asset, request: ConnectRequest): void {
  for (const item of request.asset.items) {
    const target = asset.items.find((i) => i.id === item.id);
    if (target) target.quantity = item.quantity;
    else asset.items.push({ ...item, old_quantity: null });
  }
}

/** An action's body: absent or `{}` is an empty object; anything but an object is refused. */
export function asBodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalid('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

export function optionalText(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`${field} must be a string.`);
  return value;
}

export function checkLength(field: string, value: string): void {
  if (value.length > MARKDOWN_MAX)
    throw invalid(`${field} is ${value.length} characters long; at most ${MARKDOWN_MAX} are allowed.`);
}
