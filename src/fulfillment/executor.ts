import type { ActionResult, ConnectClient } from '../connect/client.ts';
import type { FulfillmentRequest, TierConfigRequest } from '../connect/schemas.ts';
import type { Outcome, OutcomeAction, ParamValues } from './outcomes.ts';

/** An outcome that cannot be carried out as given: the handler's mistake, found before any call. */
export class OutcomeError extends Error {
  override readonly name = 'OutcomeError';
  readonly code = 'invalid_outcome';
}

/**
 * The one place that turns outcomes into API calls (DESIGN.md, "Outcomes"). Parameter values and
 * errors are written before the action, because the action ends the vendor's chance to write them.
 * Returns undefined for a skip: nothing was sent. Call checkOutcomeAgainstRequest first.
 */
export async function executeOutcome(
  client: ConnectClient,
  request: FulfillmentRequest,
  outcome: Outcome,
  signal: AbortSignal,
): Promise<ActionResult | undefined> {
  switch (outcome.action) {
    case 'approve':
      if (outcome.params)
        await client.updateParams(request.id, paramUpdates(outcome.params, 'value'), signal);
      return client.approve(
        request.id,
        'templateId' in outcome
          ? { template_id: outcome.templateId }
          : { activation_tile: outcome.activationTile },
        signal,
      );
    case 'fail':
      return client.fail(request.id, outcome.reason, signal);
    case 'inquire':
      await client.updateParams(request.id, paramUpdates(outcome.params, 'value_error'), signal);
      return client.inquire(request.id, signal);
    case 'pend':
      return client.pend(request.id, signal);
    case 'skip':
      return undefined;
  }
}

/** What a handler may decide for a request in each status (DESIGN.md, "Statuses"). */
export const ALLOWED_OUTCOMES: Readonly<Record<string, readonly OutcomeAction[]>> = {
  pending: ['approve', 'fail', 'inquire', 'skip'],
  inquiring: ['pend', 'fail', 'skip'],
};

/**
 * Checks the outcome against the request before anything is sent, so a handler's mistake changes
 * nothing: the action must suit the request's status, and the parameter ids must be the request's.
 */
export function checkOutcomeAgainstRequest(request: FulfillmentRequest, outcome: Outcome): void {
  checkOutcomeAgainst(`request ${request.id}`, request.status, request.asset.params ?? [], outcome);
}

/** The same checks for a tier configuration request, whose approve names a template only (DESIGN.md). */
export function checkOutcomeAgainstTierConfig(tcr: TierConfigRequest, outcome: Outcome): void {
  checkOutcomeAgainst(`tier config request ${tcr.id}`, tcr.status, tcr.params ?? [], outcome);
  if (outcome.action === 'approve' && !('templateId' in outcome && outcome.templateId))
    throw new OutcomeError(`approve of tier config request ${tcr.id} needs a templateId (no activationTile)`);
  if (outcome.action === 'approve' && outcome.params)
    throw new OutcomeError(`approve of tier config request ${tcr.id} takes no params`);
}

function checkOutcomeAgainst(
  subject: string,
  status: string,
  params: ReadonlyArray<{ id: string }>,
  outcome: Outcome,
): void {
  const allowed = ALLOWED_OUTCOMES[status] ?? [];
  if (!allowed.includes(outcome.action)) {
    throw new OutcomeError(
      `${outcome.action} is not allowed for ${subject}, which is ${status} (allowed: ${allowed.join(', ') || 'none'})`,
    );
  }
  if (!('params' in outcome) || !outcome.params) return;
  const known = new Set(params.map((p) => p.id));
  const unknown = Object.keys(outcome.params).filter((id) => !known.has(id));
  if (unknown.length) {
    throw new OutcomeError(
      `${outcome.action} names parameter(s) ${unknown.join(', ')} that ${subject} does not have (it has: ${[...known].join(', ') || 'none'})`,
    );
  }
}

function paramUpdates(values: ParamValues, field: 'value' | 'value_error') {
  return Object.entries(values).map(([id, text]) => ({ id, [field]: text }));
}
