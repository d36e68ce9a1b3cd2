import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, itPrintsNoStackFrames, spawnCli, spawnCommand } from '../support/cli.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const NEEDED =
  /needs Node\.js >=22\.19 .*is Node\.js v\d+\.\d+\.\d+\. Get Node 24 from https:\/\/nodejs\.org/;

/** An old Node to try the guard with: $OLD_NODE, else the machine's /usr/bin/node when it is older than 22.19. */
const OLD_NODE = process.env.OLD_NODE ?? '/usr/bin/node';
const oldVersion = versionOf(OLD_NODE);
const isOld = oldVersion !== undefined && olderThan(oldVersion, [22, 19]);
const onOldNode = isOld ? it : it.skip;
const skipped = isOld
  ? ''
  : ` (skipped: ${OLD_NODE} is ${oldVersion ? `Node ${oldVersion}` : 'missing'}; set OLD_NODE to a Node older than 22.19)`;

function versionOf(node: string): string | undefined {
  if (!existsSync(node)) return undefined;
  try {
    return execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function olderThan(version: string, [major, minor]: [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a < major || (a === major && b < minor);
}

/** PATH with `node`'s folder first, so that npm (a `#!/usr/bin/env node` script) runs on it too. */
const pathWith = (node: string) => `${dirname(node)}${delimiter}${process.env.PATH}`;

/** The processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(name)] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('on a Node older than 22.19: one line saying which Node is needed, nothing else runs', () => {
  onOldNode(`the bin${skipped}`, async () => {
    const cli = spawnCommand(OLD_NODE, [CLI, 'start'], { PATH: pathWith(OLD_NODE) });
    expect((await cli.exited).code).toBe(1);
    expect(cli.stderr()).toMatch(NEEDED);
    expect(cli.stderr()).toContain(`v${oldVersion}`);
    expect(cli.stderr().trim().split('\n')).toHaveLength(1);
    expect(cli.stdout()).toBe('');
  });

  onOldNode(`npm start${skipped}`, async () => {
    const npm = spawnCommand('npm', ['start'], { PATH: pathWith(OLD_NODE) }, { cwd: REPO });
    expect((await npm.exited).code).toBe(1);
    expect(npm.stderr().trim().split('\n')).toEqual([expect.stringMatching(NEEDED)]);
    expect(npm.stderr()).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION/);
  });

  onOldNode(`npm test${skipped}`, async () => {
    const npm = spawnCommand('npm', ['test'], { PATH: pathWith(OLD_NODE) }, { cwd: REPO });
    expect((await npm.exited).code).not.toBe(0);
    expect(npm.stderr().trim().split('\n')).toEqual([expect.stringMatching(NEEDED)]);
    expect(npm.stdout()).not.toMatch(/ts-node/);
  });

  onOldNode(`npm ci refuses to install (engine-strict)${skipped}`, async () => {
    const clone = mkdtempSync(join(tmpdir(), 'cf-old-node-'));
    try {
      for (const file of ['package.json', 'package-lock.json', '.npmrc'])
        cpSync(join(REPO, file), join(clone, file));
      const npm = spawnCommand(
        'npm',
        ['ci', '--offline', '--no-audit', '--no-fund'],
        { PATH: pathWith(OLD_NODE), HOME: clone },
        { cwd: clone },
      );
      expect((await npm.exited).code).not.toBe(0);
      expect(npm.stderr()).toContain('Required: {"node":">=22.19"}');
      expect(npm.stderr()).toContain(`"node":"v${oldVersion}"`);
      expect(existsSync(join(clone, 'node_modules'))).toBe(false);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('on this Node, the bin runs', async () => {
    const cli = spawnCli(['--version']);
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('npm start', () => {
  it('stops on SIGTERM with nothing left running (npm runs node itself, not through a shell)', async () => {
    const npm = spawnCommand('npm', ['start'], { PATH: pathWith(process.execPath) }, { cwd: REPO });
    await npm.waitForEvent('cycle.finished');
    const daemons = childrenOf(npm.child.pid!);
    expect(daemons).toHaveLength(1);
    expect(readFileSync(`/proc/${daemons[0]}/cmdline`, 'utf8')).toContain('src/main.ts');

    npm.child.kill('SIGTERM');
    expect(await npm.exited).toEqual({ code: 0, signal: null });
    expect(npm.logLines().map((l) => l.event)).toEqual(
      expect.arrayContaining(['daemon.stopping', 'daemon.stopped']),
    );
    expect(isRunning(daemons[0]!)).toBe(false);
  });
});

itPrintsNoStackFrames();
