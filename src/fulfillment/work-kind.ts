import type { ActionResult, ConnectClient, ParamUpdate } from '../connect/client.ts';
import type { FulfillmentRequest, TierConfigRequest } from '../connect/schemas.ts';
import type { ApproveOutcome } from './outcomes.ts';
import type { Route, Router } from './router.ts';

/** The two kinds of object a cycle processes; also the `kind` label of the metrics. */
export type WorkKindName = 'request' | 'tier_config_request';

/** What every processed object has: the fields routing, checks and logs rely on. */
export interface WorkItem {
  id: string;
  type: string;
  status: string;
}

/** The API calls behind each action, for one kind of object. */
export interface KindActions {
  updateParams(client: ConnectClient, id: string, params: ParamUpdate[], signal: AbortSignal): Promise<void>;
  approve(
    client: ConnectClient,
    id: string,
    outcome: ApproveOutcome,
    signal: AbortSignal,
  ): Promise<ActionResult>;
  fail(client: ConnectClient, id: string, reason: string, signal: AbortSignal): Promise<ActionResult>;
  inquire(client: ConnectClient, id: string, signal: AbortSignal): Promise<ActionResult>;
  pend(client: ConnectClient, id: string, signal: AbortSignal): Promise<ActionResult>;
}

/**
 * Everything that differs between processing an asset request and a tier configuration request:
 * how it is routed, named in logs, keyed in the state store and acted on. The processing itself
 * (backoff, handler deadline, outcome checks, notes, events) is one code path for both.
 */
export interface WorkKind<T extends WorkItem> {
  name: WorkKindName;
  /** Prefix of the log events: `request.processed`, `tcr.processed`, ... */
  event: 'request' | 'tcr';
  /** The log field carrying the object's id (bound to its child logger). */
  idField: 'requestId' | 'tcrId';
  /** What log lines call it. */
  noun: string;
  /** Its key in the state store (backoff, recorded outcomes): TCRs and requests never share one. */
  stateKey(id: string): string;
  productOf(item: T): string;
  /** `test`, `preview` or `production`: the connection it came through (poll.connectionTypes). */
  connectionTypeOf(item: T): string | null | undefined;
  /** The ids of the parameters an outcome may name. */
  paramIdsOf(item: T): string[];
  /** Log fields that say which object it is, besides its id. */
  fieldsOf(item: T): Record<string, unknown>;
  /** "PR-1 (purchase of AS-1)" */
  subjectOf(item: T): string;
  route(router: Router, item: T): Route;
  /** The kind's own limits on an outcome, as a problem text (e.g. a TCR is approved by template only). */
  outcomeProblem?(item: T, outcome: ApproveOutcome): string | undefined;
  actions: KindActions;
}

export const REQUEST_KIND: WorkKind<FulfillmentRequest> = {
  name: 'request',
  event: 'request',
  idField: 'requestId',
  noun: 'request',
  stateKey: (id) => id, // as before TCRs existed: durable state written by older versions still matches
  productOf: (request) => request.asset.product.id,
  connectionTypeOf: (request) => request.asset.connection?.type,
  paramIdsOf: (request) => (request.asset.params ?? []).map((p) => p.id),
  fieldsOf: (request) => ({ assetId: request.asset.id, productId: request.asset.product.id }),
  subjectOf: (request) => `${request.id} (${request.type} of ${request.asset.id})`,
  route: (router, request) => router.route(request),
  actions: {
    updateParams: (client, id, params, signal) => client.updateParams(id, params, signal),
    approve: (client, id, outcome, signal) =>
      client.approve(
        id,
        'templateId' in outcome
          ? { template_id: outcome.templateId }
          : { activation_tile: outcome.activationTile },
        signal,
      ),
    fail: (client, id, reason, signal) => client.fail(id, reason, signal),
    inquire: (client, id, signal) => client.inquire(id, signal),
    pend: (client, id, signal) => client.pend(id, signal),
  },
};

export const TIER_CONFIG_KIND: WorkKind<TierConfigRequest> = {
  name: 'tier_config_request',
  event: 'tcr',
  idField: 'tcrId',
  noun: 'tier config request',
  stateKey: (id) => `tcr:${id}`,
  productOf: (tcr) => tcr.configuration.product.id,
  connectionTypeOf: (tcr) => tcr.configuration.connection?.type,
  paramIdsOf: (tcr) => (tcr.params ?? []).map((p) => p.id),
  fieldsOf: (tcr) => ({
    accountId: tcr.configuration.account?.id,
    productId: tcr.configuration.product.id,
    tierLevel: tcr.configuration.tier_level ?? undefined,
  }),
  subjectOf: (tcr) =>
    `${tcr.id} (${tcr.type} of ${tcr.configuration.product.id} for ${tcr.configuration.account?.id ?? 'an account'})`,
  route: (router, tcr) => router.routeTierConfig(tcr),
  outcomeProblem: (tcr, outcome) =>
    'templateId' in outcome
      ? undefined
      : `a tier config request is approved with a templateId only; ${tcr.id} got an activationTile`,
  actions: {
    updateParams: (client, id, params, signal) => client.updateTierConfigParams(id, params, signal),
    approve: (client, id, outcome, signal) =>
      // outcomeProblem has ruled out the activation tile before anything is sent.
      client.approveTierConfig(id, 'templateId' in outcome ? outcome.templateId : '', signal),
    fail: (client, id, reason, signal) => client.failTierConfig(id, reason, signal),
    inquire: (client, id, signal) => client.inquireTierConfig(id, signal),
    pend: (client, id, signal) => client.pendTierConfig(id, signal),
  },
};

/** The state-store key of an object known by its kind's name (events carry the name). */
export function stateKeyOf(kind: WorkKindName | undefined, id: string): string {
  return (kind === 'tier_config_request' ? TIER_CONFIG_KIND : REQUEST_KIND).stateKey(id);
}
