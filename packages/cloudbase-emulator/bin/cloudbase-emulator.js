#!/usr/bin/env node

// The package ships TypeScript sources (a development tool, no build step): tsx compiles them on load.
require('tsx/cjs');
require('../src/bin.ts');
