import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const run = promisify(execFile);

/** promtool comes with Debian's prometheus package (.ci/run installs it). */
async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: DIR });
    return stdout + stderr;
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('promtool not found: apt-get install prometheus (see .ci/run)', {
        cause: err,
      });
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
  }
}

describe('Prometheus alert rules (deploy/prometheus)', () => {
  it('pass promtool check rules', async () => {
    expect(await promtool('check', 'rules', 'alerts.yaml')).toMatch(/SUCCESS: 5 rules found/);
  });

  it('pass their promtool unit tests, one test group per alert', async () => {
    const rules = [...readFileSync(`${DIR}alerts.yaml`, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const tests = readFileSync(`${DIR}alerts.test.yaml`, 'utf8');
    for (const alert of rules) expect(tests).toContain(`alertname: ${alert}`);
    expect(await promtool('test', 'rules', 'alerts.test.yaml')).toMatch(/SUCCESS/);
  });
});
