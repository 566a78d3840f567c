#!/usr/bin/env node
'use strict';
// The CLI is compiled TypeScript: run `npm run build` first (dist/ is not committed).
require('../dist/cli/main.js')
  .runCli(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
