// The Node version check, before anything else runs: `npm start`/`npm test` load it with `node -r`,
// the bin (dist/main.js) requires it before importing the CLI. Plain CommonJS in old syntax on
// purpose: it must parse and run on any Node, where the TypeScript sources and the build do not.
'use strict';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (see above)
var needed = require('../package.json').engines.node; // ">=22.19"
var minimum = needed
  .replace(/^>=\s*/, '')
  .split('.')
  .map(Number);
var running = process.versions.node.split('.').map(Number);

function tooOld() {
  for (var i = 0; i < minimum.length; i++) {
    var have = running[i] || 0;
    if (have !== minimum[i]) return have < minimum[i];
  }
  return false;
}

if (tooOld()) {
  process.stderr.write(
    'connect-fulfillment needs Node.js ' +
      needed +
      ' (Node 24 LTS recommended), but ' +
      process.execPath +
      ' is Node.js v' +
      process.versions.node +
      '. Get Node 24 from https://nodejs.org/en/download (or `nvm install 24`), then run this again.\n',
  );
  process.exit(1);
}
