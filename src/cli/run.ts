import { ConfigError } from '../config/index.ts';
import { HandlerLoadError } from '../fulfillment/loader.ts';
import { VERSION } from '../version.ts';
import { checkConfigCommand } from './check-config.ts';
import { EXIT, UsageError, type CliIO, type Command, type ExitCode } from './io.ts';
import { requestsCommand } from './requests.ts';
import { runOnceCommand } from './run-once.ts';
import { simulateCommand } from './simulate.ts';
import { startCommand } from './start.ts';
import { usageCommand } from './usage.ts';

const COMMANDS: Command[] = [
  startCommand,
  runOnceCommand,
  simulateCommand,
  checkConfigCommand,
  requestsCommand,
  usageCommand,
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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`unknown command "${name}"\n\n${overview()}\n`);
    return EXIT.usage;
  }
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
