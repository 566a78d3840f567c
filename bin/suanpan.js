#!/usr/bin/env node
'use strict';
// The CLI is compiled TypeScript: run `npm run build` first (dist/ is not committed).
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
let cli;
try {
  require(path.join(dist, 'limit-heap-growth.js')).limitHeapGrowth();
  cli = require(path.join(dist, 'cli', 'main.js'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(dist)) {
    process.stderr.write('suanpan: the command line is not built: run `npm run build` first\n');
    process.exitCode = 4;
    return;
  }
  throw error;
}
cli.runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // runCli answers every fault itself; this is a last resort, one line as well
    process.stderr.write(`suanpan: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 4;
  },
);
