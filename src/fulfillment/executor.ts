import type { ActionResult, ConnectClient } from '../connect/client.ts';
import type { Outcome, OutcomeAction, ParamValues } from './outcomes.ts';
import type { WorkItem, WorkKind } from './work-kind.ts';

/** An outcome that cannot be carried out as given: the handler's mistake, found before any call. */
export class OutcomeError extends Error {
  override readonly name = 'OutcomeError';
  readonly code = 'invalid_outcome';
}

/**
 * The one place that turns outcomes into API calls (DESIGN.md, "Outcomes"), for asset requests and
 * tier config requests alike: the kind says which endpoints. Parameter values and errors are written
 * before the action, because the action ends the vendor's chance to write them. Returns undefined
 * for a skip: nothing was sent. Call checkOutcome first.
 */
export async function executeOutcome<T extends WorkItem>(
  client: ConnectClient,
  kind: WorkKind<T>,
  item: T,
  outcome: Outcome,
  signal: AbortSignal,
): Promise<ActionResult | undefined> {
  const { actions } = kind;
  switch (outcome.action) {
    case 'approve':
      if (outcome.params)
        await actions.updateParams(client, item.id, paramUpdates(outcome.params, 'value'), signal);
      return actions.approve(client, item.id, outcome, signal);
    case 'fail':
      return actions.fail(client, item.id, outcome.reason, signal);
    case 'inquire':
      await actions.updateParams(client, item.id, paramUpdates(outcome.params, 'value_error'), signal);
      return actions.inquire(client, item.id, signal);
    case 'pend':
      return actions.pend(client, item.id, signal);
    case 'skip':
      return undefined;
  }
}

/** What a handler may decide for a request (or TCR) in each status (DESIGN.md, "Statuses"). */
export const ALLOWED_OUTCOMES: Readonly<Record<string, readonly OutcomeAction[]>> = {
  pending: ['approve', 'fail', 'inquire', 'skip'],
  inquiring: ['pend', 'fail', 'skip'],
};

/**
 * Checks the outcome against the object before anything is sent, so a handler's mistake changes
 * nothing: the action must suit its status and kind, and the parameter ids must be its own.
 */
export function checkOutcome<T extends WorkItem>(kind: WorkKind<T>, item: T, outcome: Outcome): void {
  const allowed = ALLOWED_OUTCOMES[item.status] ?? [];
  if (!allowed.includes(outcome.action)) {
    throw new OutcomeError(
      `${outcome.action} is not allowed for ${kind.noun} ${item.id}, which is ${item.status} (allowed: ${allowed.join(', ') || 'none'})`,
    );
  }
  const problem = outcome.action === 'approve' ? kind.outcomeProblem?.(item, outcome) : undefined;
  if (problem) throw new OutcomeError(problem);
  if (!('params' in outcome) || !outcome.params) return;
  const known = new Set(kind.paramIdsOf(item));
  const unknown = Object.keys(outcome.params).filter((id) => !known.has(id));
  if (unknown.length) {
    throw new OutcomeError(
      `${outcome.action} names parameter(s) ${unknown.join(', ')} that ${kind.noun} ${item.id} does not have (it has: ${[...known].join(', ') || 'none'})`,
    );
  }
}

function paramUpdates(values: ParamValues, field: 'value' | 'value_error') {
  return Object.entries(values).map(([id, text]) => ({ id, [field]: text }));
}
