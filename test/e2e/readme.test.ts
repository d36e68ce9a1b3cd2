import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, itPrintsNoStackFrames, spawnCli, spawnCommand } from '../support/cli.ts';
import { TEST_API_KEY } from '../support/harness.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cf-readme-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README's commands and examples, as written", () => {
  it('names the CLI as the README defines it (built bin + alias), never through npx (nothing is published)', () => {
    expect(README).not.toMatch(/npx connect-fulfillment/);
    expect(README).toContain('alias connect-fulfillment="node $PWD/dist/main.js"');
    expect(CLI.endsWith('dist/main.js')).toBe(true);
  });

  it('check-config --config config/example.yaml, from the clone, exits 0', async () => {
    const cli = spawnCommand(
      process.execPath,
      [CLI, 'check-config', '--config', 'config/example.yaml'],
      {
        CONNECT_API_URL: 'https://api.connect.cloudblue.com/public/v1',
        CONNECT_API_KEY: TEST_API_KEY,
      },
      { cwd: REPO },
    );
    expect((await cli.exited).code).toBe(0);
    expect(cli.stderr()).toBe('');
  });

  it('the handler example compiles with tsc --strict', async () => {
    const example = /```ts\n(\/\/ handlers\/my-product\.ts\n[\s\S]*?)```/.exec(README)?.[1];
    expect(example).toBeDefined();
    writeFileSync(join(dir, 'my-product.ts'), example!);
    writeFileSync(
      join(dir, 'my-api.ts'),
      'export async function createAccount(_id: string, _options: { idempotencyKey: string; signal: AbortSignal }): Promise<void> {}\n',
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'es2024',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          allowImportingTsExtensions: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules/@types')],
          paths: { 'connect-fulfillment': [join(REPO, 'src/index.ts')] },
        },
        files: ['my-product.ts'],
      }),
    );
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const tsc = spawnCommand(
      process.execPath,
      [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', dir],
      {},
    );
    const { code } = await tsc.exited;
    expect(tsc.stdout()).toBe('');
    expect(code).toBe(0);
  });

  it('the same example runs: a handler outside the repository, imports by package name', async () => {
    const cli = spawnCli(['check-config', '--json'], { CONFIG_FILE: writeConfig() });
    expect((await cli.exited).code).toBe(0);
    expect(JSON.parse(cli.stdout())).toMatchObject({ valid: true });
  });
});

function writeConfig(): string {
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'handlers:\n  - module: ./my-product.ts\n');
  return config;
}

itPrintsNoStackFrames();
