import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { HandlerEntry } from '../config/types.ts';
import { startSimulator, type RunningSimulator } from '../simulator/index.ts';

/** The folder holding package.json, from src/cli or dist/cli alike. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A throwaway key: the demo simulator checks it like Connect would, and it shows masking at work. */
const DEMO_API_KEY = 'SU-DEMO-0000-0000:demo-secret-not-a-real-key';

/**
 * Node does not strip types from files under node_modules, so an installed package runs the
 * TypeScript example's build (`tsconfig.examples.json`); a checkout and the image run the source.
 */
const TYPESCRIPT_EXAMPLE = PACKAGE_ROOT.includes('/node_modules/')
  ? `${PACKAGE_ROOT}dist/examples/handlers/acme-backup.js`
  : `${PACKAGE_ROOT}examples/handlers/acme-backup.ts`;

export const DEMO_SCHEDULE = '*/10 * * * * *';

export interface DemoEnvironment {
  simulator: RunningSimulator;
  /** Config overrides that point the daemon at the simulator with the example handlers. */
  overrides: {
    'connect.url': string;
    'connect.apiKey': string;
    'poll.schedule': string;
    handlers: HandlerEntry[];
  };
}

/**
 * `start` without a Connect URL: the built-in simulator on a loopback port, seeded with requests of
 * every type, new ones trickling in and customers answering inquiries, served to the example handlers
 * on a short schedule, so a newcomer sees the daemon at work within seconds.
 */
export async function startDemo(): Promise<DemoEnvironment> {
  const simulator = await startSimulator({
    apiKey: DEMO_API_KEY,
    trickle: { everyMs: 7_000 },
    customerAnswersAfterMs: 25_000,
  });
  return {
    simulator,
    overrides: {
      'connect.url': simulator.url,
      'connect.apiKey': DEMO_API_KEY,
      'poll.schedule': DEMO_SCHEDULE,
      handlers: [
        { module: `${PACKAGE_ROOT}examples/handlers/fallball.js` },
        { module: TYPESCRIPT_EXAMPLE },
        { module: `${PACKAGE_ROOT}examples/handlers/northwind-pbx.js` },
        // Contoso Mail has no code: a rules entry, read from the file vendors copy it from.
        parseYaml(readFileSync(`${PACKAGE_ROOT}examples/rules/contoso-mail.yaml`, 'utf8')) as HandlerEntry,
      ],
    },
  };
}
