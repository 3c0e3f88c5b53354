#!/usr/bin/env node

// Installed from npm the package runs its built JavaScript (dist/). Inside the wx-cloud-login
// repository, where src/ is present and dist/ is only built by `npm pack`, tsx compiles the sources
// on load, so a change to src/ needs no build step.
const { existsSync } = require('node:fs');
const path = require('node:path');

if (existsSync(path.join(__dirname, '..', 'src', 'bin.ts'))) {
  require('tsx/cjs');
  require('../src/bin.ts');
} else {
  require('../dist/bin.js');
}
