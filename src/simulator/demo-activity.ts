import { ALLOWED_ASSET_STATUS } from './distributor.ts';
import type { RequestType } from './model.ts';
import { randomPurchaseSpec } from './seed.ts';
import type { SimulatorStore } from './store.ts';

/**
 * What makes the demo feel alive: new requests trickle in, and customers answer inquiries after a
 * while (their parameters corrected, the request pending again). Returns the function that stops it.
 */

export interface DemoActivityOptions {
  trickle?: { everyMs: number };
  customerAnswersAfterMs?: number;
}

const TRICKLE_MIX: Partial<Record<RequestType, number>> = {
  purchase: 4,
  change: 1,
  suspend: 1,
  resume: 1,
  cancel: 1,
};

export function startDemoActivity(store: SimulatorStore, options: DemoActivityOptions): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const stops: Array<() => void> = [];

  if (options.trickle) {
    const interval = setInterval(() => addTrickledRequest(store), options.trickle.everyMs);
    interval.unref();
    stops.push(() => clearInterval(interval));
  }

  const answerAfterMs = options.customerAnswersAfterMs;
  if (answerAfterMs !== undefined) {
    const scheduleAnswer = (id: string) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (store.getRequest(id)?.status === 'inquiring') store.answerInquiry(id);
      }, answerAfterMs);
      timer.unref();
      timers.add(timer);
    };
    for (const request of store.listRequests())
      if (request.status === 'inquiring') scheduleAnswer(request.id);
    stops.push(
      store.onRequestChange(({ request, from }) => {
        if (request.status === 'inquiring' && from !== 'inquiring') scheduleAnswer(request.id);
      }),
    );
  }

  return () => {
    for (const stop of stops) stop();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}

/** A new pending request of a random type; asset requests go to an asset that can take one, else it is a purchase. */
export function addTrickledRequest(store: SimulatorStore): void {
  const type = store.random.weighted(TRICKLE_MIX);
  if (type !== 'purchase' && type !== 'adjustment') {
    const candidates = store
      .listAssets()
      .filter(
        (asset) =>
          ALLOWED_ASSET_STATUS[type].includes(asset.status) && store.openRequestsOf(asset.id).length === 0,
      );
    if (candidates.length > 0) {
      const asset = store.random.pick(candidates);
      const quantities =
        type === 'change' ? { [asset.items[0]!.id]: Number(asset.items[0]!.quantity) + 1 || 1 } : undefined;
      store.addRequest({ type, assetId: asset.id, quantities });
      return;
    }
  }
  store.addRequest(randomPurchaseSpec(store));
}
