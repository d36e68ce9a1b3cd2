import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { CliIO, Command, ExitCode } from '../../src/cli/io.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { TEST_API_KEY } from '../support/harness.ts';

/** What a user of a distributor command sees: its exit code, stdout and stderr. */
export interface CommandRun {
  code: ExitCode;
  stdout: string;
  stderr: string;
}

/** A distributor command, configured through the environment like a user would, against the simulator. */
export interface DistributorSetup {
  sim: RunningSimulator;
  env: Record<string, string>;
  /** Runs the command with captured output; errors propagate, as they do to the CLI's runner. */
  run(command: Command, args: string[], env?: Record<string, string>): Promise<CommandRun>;
  /** Writes a JSON file (an account for --tier1/--customer) and returns its path. */
  jsonFile(name: string, content: unknown): Promise<string>;
  close(): Promise<void>;
}

export async function setUpDistributor(): Promise<DistributorSetup> {
  const sim = await startSimulator({ apiKey: TEST_API_KEY }); // the demo seed: catalog, assets, usage files
  const dir = await mkdtemp(path.join(tmpdir(), 'distributor-'));
  const env = {
    CONNECT_API_URL: sim.url,
    CONNECT_API_KEY: TEST_API_KEY,
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    RATE_LIMIT_RPS: '1000',
    RETRY_BASE_DELAY_MS: '10',
    RETRY_MAX_DELAY_MS: '50',
  };
  return {
    sim,
    env,
    async run(command, args, extraEnv = {}) {
      const out = sink();
      const err = sink();
      const io: CliIO = { env: { ...env, ...extraEnv }, stdout: out.stream, stderr: err.stream };
      const code = await command.run(args, io);
      return { code, stdout: out.text(), stderr: err.text() };
    },
    async jsonFile(name, content) {
      const file = path.join(dir, name);
      await writeFile(file, JSON.stringify(content));
      return file;
    },
    async close() {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function sink(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

export function account(name: string, externalId: string, email: string) {
  return {
    name,
    external_id: externalId,
    tax_id: 'US-123456',
    contact_info: {
      address_line1: '1 Main Street',
      city: 'Springfield',
      state: 'Illinois',
      postal_code: '62701',
      country: 'US',
      contact: { first_name: 'Ada', last_name: 'Lovelace', email },
    },
  };
}
