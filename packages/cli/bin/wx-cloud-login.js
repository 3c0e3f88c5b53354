#!/usr/bin/env node

// Installed from npm: the bundled CLI (dist/cli.js) with the kit's files in kit/. Inside the
// wx-cloud-login repository, where dist/ is only built by `npm pack`, tsx runs scripts/ directly and
// the kit is the repository itself.
const { existsSync } = require('node:fs');
const path = require('node:path');

// Only this repository's own packages/cli/bin: installed, three folders up is the team's project,
// whose scripts/ may well hold a wx-cloud-login.ts of its own.
const repository = path.resolve(__dirname, '..', '..', '..');
const repositoryEntry = path.join(repository, 'scripts', 'wx-cloud-login.ts');
if (path.join(repository, 'packages', 'cli', 'bin') === __dirname && existsSync(repositoryEntry)) {
  require('tsx/cjs');
  require(repositoryEntry).main();
} else {
  require('../dist/cli.js').main(path.join(__dirname, '..', 'kit'));
}
