import { watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { HandlerEntry } from '../../config/types.ts';
import type { FulfillmentEvents } from '../../fulfillment/events.ts';
import { HandlerLoadError, loadHandlers } from '../../fulfillment/loader.ts';
import type { Router, RouterOptions } from '../../fulfillment/router.ts';

export interface ReloaderOptions {
  /** The config's handler entries (module paths absolute), loaded again whole on every change. */
  entries: readonly HandlerEntry[];
  /** The daemon's router: it adopts each new version between cycles. */
  router: Router;
  routerOptions?: RouterOptions;
  /** The daemon's events: a swap waits for the running cycle to end. */
  events: FulfillmentEvents;
  log: Logger;
  /** Called after each swap (dev forgets backoff, seeds new products). */
  onSwapped?: (router: Router) => void;
  /** Quiet time after the last change before reloading: an editor's save is several events. */
  debounceMs?: number;
}

export interface Reloader {
  /** Resolves when no reload is running or waiting (tests, shutdown). */
  idle(): Promise<void>;
  close(): void;
}

/**
 * Watches the handler modules and, when one changes, imports every module again (a new `?v=N` each
 * time) and swaps the router's handlers between cycles. A version that fails to load is logged with
 * the file and the reason, and the running one stays.
 */
export function watchHandlerModules(options: ReloaderOptions): Reloader {
  const { entries, router, events, log } = options;
  const debounceMs = options.debounceMs ?? 100;
  const modules = new Set(entries.flatMap((entry) => (entry.module ? [entry.module] : [])));
  const changed = new Set<string>();
  let version = 0;
  let timer: NodeJS.Timeout | undefined;
  let reloading: Promise<void> = Promise.resolve();
  let cycleRunning = false;
  let waiting: { next: Router; files: string[]; version: number } | undefined;

  const swap = (next: Router, files: string[], v: number) => {
    router.adopt(next);
    for (const module of files)
      log.info(
        { event: 'dev.reloaded', module, version: v, products: router.products },
        `reloaded ${module}: the next cycle runs the new version`,
      );
    options.onSwapped?.(router);
  };
  const onCycleStart = () => {
    cycleRunning = true;
  };
  const onCycleEnd = () => {
    cycleRunning = false;
    if (waiting) swap(waiting.next, waiting.files, waiting.version);
    waiting = undefined;
  };
  events.on('cycle:start', onCycleStart);
  events.on('cycle:end', onCycleEnd);

  const reload = async () => {
    const files = [...changed];
    changed.clear();
    const v = ++version;
    let next: Router;
    try {
      next = await loadHandlers(entries, [], options.routerOptions, { version: v });
    } catch (err) {
      const problems = err instanceof HandlerLoadError ? err.problems : [(err as Error).message];
      log.error(
        { event: 'dev.reload_failed', modules: files, version: v, problems },
        `reload failed, the previous version keeps running: ${problems.join('; ')}`,
      );
      return;
    }
    // Mid-cycle, the swap waits for the end: one cycle never mixes two versions.
    if (cycleRunning)
      waiting = { next, files: [...new Set([...(waiting?.files ?? []), ...files])], version: v };
    else swap(next, files, v);
  };

  const onChange = (file: string) => {
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading.then(reload);
    }, debounceMs);
  };

  // The folders, not the files: editors save by writing a new file and renaming it over the old one,
  // after which a watch on the old file sees nothing more.
  const watchers: FSWatcher[] = [...new Set([...modules].map((m) => dirname(m)))].map((dir) =>
    watch(dir, (_type, name) => {
      const file = name === null ? undefined : join(dir, name.toString());
      if (file && modules.has(file)) onChange(file);
    }),
  );
  for (const watcher of watchers)
    watcher.on('error', (err) =>
      log.warn({ event: 'dev.watch_failed', err }, `watching handler modules failed: ${err.message}`),
    );

  return {
    idle: async () => {
      await reloading;
    },
    close: () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      events.off('cycle:start', onCycleStart);
      events.off('cycle:end', onCycleEnd);
    },
  };
}
