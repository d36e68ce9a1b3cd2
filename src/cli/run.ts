import { ConfigError } from '../config/index.ts';
import { HandlerLoadError } from '../fulfillment/loader.ts';
import { VERSION } from '../version.ts';
import { EXIT, UsageError, type CliIO, type Command, type ExitCode } from './io.ts';

/**
 * The commands, each loaded only when it runs: a daemon has no use for the simulator (msw), nor a
 * distributor script for the metrics registry, and every module loaded stays in memory.
 */
const COMMANDS: Array<{ name: string; summary: string; load: () => Promise<Command> }> = [
  {
    name: 'start',
    summary: 'run the daemon until SIGTERM/SIGINT (the demo when no Connect URL is configured)',
    load: async () => (await import('./start.ts')).startCommand,
  },
  {
    name: 'run-once',
    summary: 'run one full cycle against Connect, then exit',
    load: async () => (await import('./run-once.ts')).runOnceCommand,
  },
  {
    name: 'simulate',
    summary: 'run the Connect simulator alone (handler development, docker-compose, benchmarks)',
    load: async () => (await import('./simulate.ts')).simulateCommand,
  },
  {
    name: 'check-config',
    summary: 'validate and print the effective configuration, secrets masked',
    load: async () => (await import('./check-config.ts')).checkConfigCommand,
  },
  {
    name: 'requests',
    summary: 'list the queue, show one request, or create requests as a distributor',
    load: async () => (await import('./requests.ts')).requestsCommand,
  },
  {
    name: 'init',
    summary: 'scaffold a handler, its test, a config file and a package.json',
    load: async () => (await import('./init/command.ts')).initCommand,
  },
  {
    name: 'dev',
    summary: 'run your handlers against the seeded simulator, reloading them when their files change',
    load: async () => (await import('./dev.ts')).devCommand,
  },
  {
    name: 'usage',
    summary: 'print the records of a usage file as JSON lines',
    load: async () => (await import('./usage.ts')).usageCommand,
  },
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `connect-fulfillment ${VERSION} — fulfillment daemon for CloudBlue Connect vendors`,
    '',
    'Usage: connect-fulfillment <command> [options]   (connect-fulfillment <command> --help for details)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Exit codes: 0 done, 1 the work could not be done, 2 invalid configuration or usage.',
  ].join('\n');
}

/** Runs one command and maps every failure to an exit code, with a message that names the problem. */
export async function runCli(argv: string[], io: CliIO): Promise<ExitCode> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${overview()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`unknown command "${name}"\n\n${overview()}\n`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    return reportFailure(err, command, io);
  }
}

function reportFailure(err: unknown, command: Command, io: CliIO): ExitCode {
  if (err instanceof UsageError) {
    io.stderr.write(`${command.name}: ${err.message}\n\n${command.usage}\n`);
    return EXIT.usage;
  }
  if (err instanceof ConfigError || err instanceof HandlerLoadError) {
    io.stderr.write(
      `${command.name}: invalid configuration:\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return EXIT.usage;
  }
  io.stderr.write(`${command.name}: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.failed;
}
