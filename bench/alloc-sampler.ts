/**
 * Preloaded into the daemon by `npm run bench -- --alloc-prof`: V8's sampling heap profiler over the
 * whole run, counting objects the GC has already collected too, so the profile says where the bytes
 * were allocated (per-request garbage included), not only what is still alive at the end. Written to
 * BENCH_ALLOC_FILE at exit; read it with `node bench/profile.ts FILE.heapprofile`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_ALLOC_FILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  process.on('exit', () => {
    // The inspector answers synchronously within the same thread, so this completes before exit.
    session.post('HeapProfiler.stopSampling', (err, result) => {
      if (!err) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
