import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, itPrintsNoStackFrames, spawnCommand } from '../support/cli.ts';

/**
 * A vendor's developer's first steps (README "Writing and testing a handler"), on the package exactly
 * as `npm pack` builds it: `init`, `npm install` of the tarball, then the scaffold's own type-check and
 * test. npm installs the other packages from its cache when it has them. The tests share one project,
 * in order.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
// Only what npm needs: a registry reached through a TLS-inspecting proxy needs its CA and proxy
// settings, which live in the environment, not in the npmrc of the npm that runs here.
const PASSED = ['NODE_EXTRA_CA_CERTS', 'npm_config_cafile', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'];
const NPM_ENV = {
  HOME: process.env.HOME,
  ...Object.fromEntries(
    PASSED.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]),
  ),
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};
let dir: string;
let tarball: string;
let packed: string[];

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const child = spawnCommand(command, args, NPM_ENV, { cwd });
  const { code } = await child.exited;
  if (code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${child.stdout()}\n${child.stderr()}`);
  return child.stdout();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cf-package-'));
  const [pack] = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', dir], REPO)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  tarball = join(dir, pack!.filename);
  packed = pack!.files.map((file) => file.path);
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the built code, its types, the bin, README and LICENSE, and nothing else', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/main.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
      ]),
    );
    const outside = packed.filter(
      (path) =>
        !/^(package\.json|README\.md|LICENSE|bin\/check-node\.cjs)$/.test(path) &&
        !/^dist\/.+\.(js|d\.ts)$/.test(path) &&
        !/^examples\/(handlers|rules)\/[^/]+$/.test(path),
    );
    expect(outside).toEqual([]);
  });

  it('init, npm install, tsc and the scaffold test pass in an empty project; so does the --js scaffold', async () => {
    // The README's steps: init from the clone's CLI, then the package from the tarball (and the rest).
    await run(process.execPath, [CLI, 'init', 'my-handler'], dir);
    const project = join(dir, 'my-handler');
    await run('npm', ['install', tarball], project);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).toEqual({
      'connect-fulfillment': `file:${relative(project, tarball)}`,
    });

    await run('npm', ['run', 'typecheck'], project);
    expect(await run('npm', ['test'], project)).toMatch(/^ℹ pass 3$[\s\S]*^ℹ fail 0$/m);

    // The installed bin; the JavaScript scaffold finds the package in the project's node_modules.
    await run(
      join(project, 'node_modules/.bin/connect-fulfillment'),
      ['init', 'js-variant', '--js'],
      project,
    );
    expect(await run('npm', ['test'], join(project, 'js-variant'))).toMatch(/^ℹ pass 3$[\s\S]*^ℹ fail 0$/m);
  }, 180_000);

  it("the installed bin's `start` runs the demo, its TypeScript example included", async () => {
    const project = join(dir, 'my-handler');
    const demo = spawnCommand(
      join(project, 'node_modules/.bin/connect-fulfillment'),
      ['start'],
      {},
      { cwd: project },
    );
    const line = await demo.waitForEvent('request.processed', (l) => l.handler === 'acme-backup');
    expect(line.requestId).toMatch(/^PR-/);
    demo.child.kill('SIGTERM');
    expect((await demo.exited).code).toBe(0);
  });
});

itPrintsNoStackFrames();
