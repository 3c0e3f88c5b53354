#!/usr/bin/env node

// Installed from npm: the bundled CLI (dist/cli.js) with the kit's files in kit/. Inside the
// wx-cloud-login repository, where dist/ is only built by `npm pack`, tsx runs scripts/ directly and
// the kit is the repository itself.
const { existsSync } = require('node:fs');
const path = require('node:path');

const repositoryEntry = path.join(__dirname, '..', '..', '..', 'scripts', 'wx-cloud-login.ts');
if (existsSync(repositoryEntry)) {
  require('tsx/cjs');
  require(repositoryEntry).main();
} else {
  require('../dist/cli.js').main(path.join(__dirname, '..', 'kit'));
}
