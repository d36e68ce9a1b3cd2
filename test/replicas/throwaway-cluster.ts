import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp dir, trust auth on a loopback port), so a
 * test can stop and start its database without touching the shared server other tests use.
 */
export function throwawayCluster(port: number) {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const bin = (tool: string) => join('/usr/lib/postgresql', versions[0]!, 'bin', tool);
  const root = mkdtempSync(join(tmpdir(), 'cf-pg-'));
  chmodSync(root, 0o777);
  const data = join(root, 'data');
  // initdb and the server refuse to run as root: as root, run them as postgres.
  const run = (tool: string, args: string[]) =>
    process.getuid?.() === 0
      ? execFileSync('runuser', ['-u', 'postgres', '--', bin(tool), ...args], { stdio: 'pipe' })
      : execFileSync(bin(tool), args, { stdio: 'pipe' });
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
  const ctl = (action: 'start' | 'stop') =>
    run('pg_ctl', [
      '-D',
      data,
      '-w',
      '-l',
      join(root, 'log'),
      ...(action === 'start'
        ? ['-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1`]
        : ['-m', 'fast']),
      action,
    ]);
  return {
    url: `postgres://postgres:secret-pw@127.0.0.1:${port}/postgres`,
    start: () => ctl('start'),
    stop: () => ctl('stop'),
    remove: () => {
      try {
        ctl('stop');
      } catch {
        // already stopped
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
