import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { CLI, itPrintsNoStackFrames, spawnCli, spawnCommand } from '../support/cli.ts';
import { TEST_API_KEY } from '../support/harness.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(REPO, 'examples/derived-image/handlers');
const PRODUCT = 'PRD-276-377-545';
const OTHER = 'PRD-900-000-001';
let dir: string;
let sim: RunningSimulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cf-outside-'));
  sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('handlers outside the repository', () => {
  it('a TypeScript handler anywhere imports connect-fulfillment by name', async () => {
    writeFileSync(
      join(dir, 'vendor.ts'),
      `import { approve, defineHandler, type FulfillmentRequest } from 'connect-fulfillment';
      export default defineHandler({
        products: ['${OTHER}'],
        purchase: (request: FulfillmentRequest) => approve({ templateId: 'TL-' + request.asset.id.slice(3, 6) }),
      });`,
    );
    writeFileSync(join(dir, 'vendor.yaml'), 'handlers:\n  - module: ./vendor.ts\n');
    const id = sim.store.addRequest({ productId: OTHER }).id;
    const env = { CONNECT_API_URL: sim.url, CONNECT_API_KEY: TEST_API_KEY };

    const check = spawnCli(['check-config', '--config', join(dir, 'vendor.yaml')], env);
    expect((await check.exited).code).toBe(0);
    const cli = spawnCli(['run-once', '--config', join(dir, 'vendor.yaml')], env);
    expect((await cli.exited).code).toBe(0);
    expect(sim.store.getRequest(id)?.status).toBe('approved');
  });

  it("the derived image's way: a handlers folder with its own package.json, installed with npm ci", async () => {
    const handlers = join(dir, 'handlers');
    cpSync(EXAMPLE, handlers, { recursive: true, filter: (path) => !path.includes('node_modules') });
    // The derived Dockerfile's install step (from the npm cache when it has the packages).
    const install = spawnCommand(
      'npm',
      ['ci', '--prefer-offline', '--omit=dev', '--no-audit', '--no-fund'],
      { HOME: process.env.HOME },
      { cwd: handlers },
    );
    expect((await install.exited).code).toBe(0);
    expect(readFileSync(join(EXAMPLE, '../Dockerfile'), 'utf8')).toMatch(/npm ci --omit=dev/);

    const good = sim.store.addRequest({ productId: PRODUCT, params: { email: 'admin@example.com' } }).id;
    const bad = sim.store.addRequest({ productId: PRODUCT, params: { email: 'not an address' } }).id;
    // As the derived image runs it: the bin, with the config in the handlers folder.
    const cli = spawnCommand(process.execPath, [CLI, 'run-once', '--config', join(handlers, 'config.yaml')], {
      CONNECT_API_URL: sim.url,
      CONNECT_API_KEY: TEST_API_KEY,
    });
    expect((await cli.exited).code).toBe(0);
    expect([good, bad].map((id) => sim.store.getRequest(id)?.status)).toEqual(['approved', 'inquiring']);
  });
});

itPrintsNoStackFrames();
