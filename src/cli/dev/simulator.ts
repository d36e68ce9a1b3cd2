import type { HandlerEntry } from '../../config/types.ts';
import type { Router } from '../../fulfillment/router.ts';
import type { RunningSimulator } from '../../simulator/index.ts';
import { devProducts } from './products.ts';

/** The simulator checks it like Connect would; the config's own key never leaves the machine. */
export const DEV_API_KEY = 'SU-DEV-0000-0000:dev-secret-not-a-real-key';
/** Customers answer an inquiry this long after it was sent (the request is pending again). */
const CUSTOMER_ANSWERS_AFTER_MS = 20_000;
/** A new request of the configured products now and then, to try a changed handler on. */
const TRICKLE_EVERY_MS = 15_000;

/** The built-in simulator, seeded with a queue for each product the router has a handler for. */
export async function startDevSimulator(
  entries: readonly HandlerEntry[],
  router: Router,
): Promise<RunningSimulator> {
  // Loaded only here: the simulator (msw and its dependencies) has no place in a live daemon.
  const { startSimulator } = await import('../../simulator/index.ts');
  const simulator = await startSimulator({
    apiKey: DEV_API_KEY,
    seed: false,
    customerAnswersAfterMs: CUSTOMER_ANSWERS_AFTER_MS,
    trickle: { everyMs: TRICKLE_EVERY_MS },
  });
  await seedNewProducts(simulator, entries, router);
  return simulator;
}

/** Seeds the products of `router` the simulator does not have yet (all at start; a reload may add some). */
export async function seedNewProducts(
  simulator: RunningSimulator,
  entries: readonly HandlerEntry[],
  router: Router,
): Promise<void> {
  const { seedDevProducts } = await import('../../simulator/index.ts');
  const added = devProducts(entries, router).filter(({ product }) => !simulator.store.getProduct(product.id));
  seedDevProducts(simulator.store, added);
}
