import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { VERSION } from '../../version.ts';
import { parseCommandArgs } from '../args.ts';
import { EXIT, UsageError, type Command } from '../io.ts';
import { scaffoldFiles } from './templates.ts';

export const initCommand: Command = {
  name: 'init',
  usage: [
    'Usage: connect-fulfillment init [DIR] [--js]',
    '',
    'Writes a handler, its test (node:test with connect-fulfillment/testing), config.yaml for `dev`',
    'and a package.json into DIR (default: the current folder); TypeScript unless --js, with a',
    'tsconfig.json for `npm run typecheck`. Never overwrites: if any of the files exists, nothing is',
    'written and it exits 2 naming them. Then: cd DIR && npm install && npm test.',
    '',
    'Options:',
    '  --js   JavaScript instead of TypeScript',
  ].join('\n'),

  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { js: { type: 'boolean' } }, true);
    if (positionals.length > 1) throw new UsageError(`one DIR at most, got ${positionals.join(' ')}`);
    const dir = resolve(positionals[0] ?? '.');
    const name =
      basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-') || 'my-handler';
    const files = scaffoldFiles({ name, version: VERSION, js: values.js === true });
    const taken = Object.keys(files).filter((file) => existsSync(join(dir, file)));
    if (taken.length > 0) {
      io.stderr.write(
        `init: not overwriting ${taken.map((file) => join(dir, file)).join(', ')}: nothing was written (choose another DIR, or move them away)\n`,
      );
      return EXIT.usage;
    }
    await mkdir(dir, { recursive: true });
    // flag 'wx': a file that appeared since the check is still not overwritten.
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text, { flag: 'wx' });
    const where = relative('.', dir) || '.';
    io.stdout.write(
      [
        `Created in ${where}: ${Object.keys(files).join(', ')}`,
        '',
        'Next:',
        ...(where === '.' ? [] : [`  cd ${where}`]),
        '  npm install',
        '  npm test          # the handler test passes as generated',
        '  npm run dev       # the handler against the built-in simulator, reloaded when you save',
        '',
      ].join('\n'),
    );
    return EXIT.ok;
  },
};
