/**
 * The files `connect-fulfillment init` writes: one handler, its test on the test kit (node:test, so it
 * needs nothing beyond this package), a configuration for `dev`, and a package.json. TypeScript and
 * JavaScript differ only in the type annotations and the file extensions.
 */

export interface ScaffoldOptions {
  /** The package name (the folder's name). */
  name: string;
  /** This package's version: the scaffold depends on it. */
  version: string;
  js: boolean;
}

export const SCAFFOLD_PRODUCT = 'PRD-000-000-001';

export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  const ext = options.js ? 'js' : 'ts';
  const files: Record<string, string> = {
    [`handler.${ext}`]: handler(),
    [`handler.test.${ext}`]: handlerTest(ext),
    'config.yaml': config(ext),
    'package.json': packageJson(options, ext),
  };
  if (!options.js) files['tsconfig.json'] = TSCONFIG;
  return files;
}

function handler(): string {
  return `// A fulfillment handler: one function per request type; each returns an outcome (approve, fail,
// inquire, pend or skip) that the daemon carries out. Request types without a function are left pending.
import { approve, defineHandler, fail, inquire } from 'connect-fulfillment';

export default defineHandler({
  name: 'my-product',

  async purchase(request, context) {
    const email = request.asset.params?.find((param) => param.id === 'email')?.value;
    if (typeof email !== 'string' || !/^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/.test(email)) {
      // The customer sees this message next to the parameter and can correct it.
      return inquire({ email: 'Please enter a valid e-mail address.' });
    }
    context.log.info({ email }, 'activating the subscription');
    return approve({ templateId: 'TL-000-000-001' });
  },

  async cancel() {
    return approve({ templateId: 'TL-000-000-002' });
  },

  async suspend() {
    return fail('Suspending is not supported yet: please cancel instead.');
  },
});
`;
}

function handlerTest(ext: string): string {
  return `// Run with \`npm test\` (node --test). The test kit builds complete requests and calls the handler
// the way the daemon does, with the daemon's own checks of the outcome.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRequest, runHandler } from 'connect-fulfillment/testing';
import handler from './handler.${ext}';

test('approves a purchase with a valid e-mail', async () => {
  const request = buildRequest({ type: 'purchase', params: { email: 'ann@example.com' } });
  const { outcome, logs } = await runHandler(handler, request);
  assert.deepEqual(outcome, { action: 'approve', templateId: 'TL-000-000-001' });
  assert.equal(logs[0]?.msg, 'activating the subscription');
});

test('asks the customer to correct a bad e-mail', async () => {
  const request = buildRequest({ type: 'purchase', params: { email: 'not an address' } });
  const { outcome } = await runHandler(handler, request);
  assert.deepEqual(outcome, { action: 'inquire', params: { email: 'Please enter a valid e-mail address.' } });
});

test('fails a suspend', async () => {
  const { outcome } = await runHandler(handler, buildRequest({ type: 'suspend' }));
  assert.equal(outcome.action, 'fail');
});
`;
}

function config(ext: string): string {
  return `# \`connect-fulfillment dev --config config.yaml\` runs this handler against the built-in simulator.
# Against Connect: set CONNECT_API_URL and CONNECT_API_KEY and run \`connect-fulfillment start --config config.yaml\`.
handlers:
  - module: ./handler.${ext}
    products: [${SCAFFOLD_PRODUCT}]
`;
}

function packageJson(options: ScaffoldOptions, ext: string): string {
  const pkg = {
    name: options.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      test: `node --test handler.test.${ext}`,
      ...(options.js ? {} : { typecheck: 'tsc -p tsconfig.json' }),
      dev: 'connect-fulfillment dev --config config.yaml',
    },
    dependencies: { 'connect-fulfillment': `^${options.version}` },
    ...(options.js ? {} : { devDependencies: { '@types/node': '^24.0.0', typescript: '^6.0.0' } }),
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

// Node runs the .ts files as they are (type stripping), so tsc only checks: erasable syntax only,
// and imports name the .ts files Node loads.
const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'es2024',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      erasableSyntaxOnly: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
      types: ['node'],
    },
    include: ['*.ts'],
  },
  null,
  2,
)}\n`;
