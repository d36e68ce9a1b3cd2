import { once } from 'node:events';
import { createLogger, flushLogger } from '../log.ts';
import { intFlag, parseCommandArgs } from './args.ts';
import { EXIT, type Command } from './io.ts';

export const simulateCommand: Command = {
  name: 'simulate',
  usage: [
    'Usage: connect-fulfillment simulate [--port N] [--host H] [--requests N] [--products N]',
    '                                    [--latency MS] [--rate-limit N] [--trickle MS] [--api-key KEY]',
    '',
    "Serves the project's model of the Connect API at http://HOST:PORT/public/v1 until SIGTERM/SIGINT,",
    'with GET /_simulator/stats and /_simulator/requests for inspection. Without --requests it holds',
    'the demo data; with it, N pending purchase requests spread over --products products.',
    '',
    'Options:',
    '  --port N          port to listen on (default 8080; 0 = any free port)',
    '  --host H          address to bind (default 127.0.0.1; 0.0.0.0 in a container)',
    '  --requests N      seed N pending requests instead of the demo data',
    '  --products N      products the N requests are spread over (default 2)',
    '  --latency MS      every API answer leaves MS after its call arrived',
    '  --rate-limit N    answer 429 (Retry-After: 1) beyond N calls in any sliding second',
    '  --trickle MS      add a new pending request every MS milliseconds',
    '  --api-key KEY     require this key (default: $SIMULATOR_API_KEY, else $CONNECT_API_KEY, else any key)',
  ].join('\n'),

  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      port: { type: 'string' },
      host: { type: 'string' },
      requests: { type: 'string' },
      products: { type: 'string' },
      latency: { type: 'string' },
      'rate-limit': { type: 'string' },
      trickle: { type: 'string' },
      'api-key': { type: 'string' },
    });
    const pendingRequests = intFlag(values.requests, 'requests');
    const trickleMs = intFlag(values.trickle, 'trickle', 1);
    const apiKey = values['api-key'] ?? io.env.SIMULATOR_API_KEY ?? io.env.CONNECT_API_KEY;
    const log = createLogger({
      level: 'info',
      format: io.env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json',
      destination: io.stdout,
      secrets: apiKey ? [apiKey] : [],
    });

    // Imported here, not at the top: every other command would load msw for nothing.
    const { startSimulator } = await import('../simulator/index.ts');
    const sim = await startSimulator({
      host: values.host ?? '127.0.0.1',
      port: intFlag(values.port, 'port') ?? 8080,
      apiKey,
      seed:
        pendingRequests === undefined
          ? undefined
          : { pendingRequests, products: intFlag(values.products, 'products', 1) },
      latencyMs: intFlag(values.latency, 'latency'),
      rateLimit: intFlag(values['rate-limit'], 'rate-limit', 1),
      trickle: trickleMs === undefined ? undefined : { everyMs: trickleMs },
    });
    const pending = sim.store.listRequests().filter((r) => r.status === 'pending').length;
    log.info(
      { event: 'simulator.started', url: sim.url, pending, auth: apiKey ? 'required' : 'any key' },
      `Connect simulator at ${sim.url} with ${pending} pending requests`,
    );
    const signal = await Promise.race([once(process, 'SIGTERM'), once(process, 'SIGINT')]);
    log.info({ event: 'simulator.stopped', signal: signal[0] }, 'simulator stopped');
    await sim.close();
    await flushLogger(log);
    return EXIT.ok;
  },
};
