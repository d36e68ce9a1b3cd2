/**
 * The IPC side of a Connect process forked by processes.ts (bench/simulator.ts, the Connect model):
 * announces itself, then answers the parent's progress and report questions until told to stop.
 *
 *   → { type: 'ready', ...ready }
 *   ← { type: 'progress' }  → { type: 'progress', calls, actions }
 *   ← { type: 'report' }    → { type: 'report', report }
 *   ← { type: 'stop' }      → closes the server and exits (so does a parent that went away)
 */
import { writeFileSync } from 'node:fs';

/** The journal of calls as text (`--keep`): one `at method path status` line per call. */
export function writeJournal(
  file: string | undefined,
  journal: ReadonlyArray<{ at: number; method: string; path: string; status: number }>,
): void {
  if (file) writeFileSync(file, journal.map((e) => `${e.at} ${e.method} ${e.path} ${e.status}\n`).join(''));
}

export interface ServedProcess {
  ready: object;
  progress(): { calls: number; actions: number };
  report(): object;
  close(): Promise<void>;
}

export function serveParent(served: ServedProcess): void {
  const send = (message: object) => process.send?.(message);
  const stop = () => void served.close().finally(() => process.exit(0));
  process.on('message', (message: { type?: string }) => {
    switch (message.type) {
      case 'progress':
        send({ type: 'progress', ...served.progress() });
        break;
      case 'report':
        send({ type: 'report', report: served.report() });
        break;
      case 'stop':
        stop();
        break;
    }
  });
  process.on('disconnect', stop); // the parent went away: nothing left to serve
  send({ type: 'ready', ...served.ready });
}
