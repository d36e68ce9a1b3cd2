/**
 * The parts of undici the daemon uses — its connection Pool, its request API, its error classes —
 * loaded without undici's index. The index also loads fetch, WebSocket, EventSource, the cache stores
 * and the mock agents (over 100 modules); a daemon that only needs a pool paid ~5 MB of its peak RSS
 * for them (BENCHMARKS.md, "Start-up memory"). Everything else imports `Pool` and `errors` from here.
 *
 * These are undici's own files (it has no `exports` map, so they are reachable as they are), pinned
 * by the lockfile; every transport test fails at once if an upgrade moves one. The request API is
 * attached to the dispatcher prototype exactly as undici's index attaches it, so a pool made here
 * is the same as one from `import { Pool } from 'undici'`, and a module that imports the full index
 * later gets the very same classes.
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

const load = createRequire(import.meta.url);

const Dispatcher = load('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
Object.assign(Dispatcher.prototype, load('undici/lib/api/index.js'));

export const Pool = load('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
export type Pool = Undici.Pool;
export const errors = load('undici/lib/core/errors.js') as typeof Undici.errors;
