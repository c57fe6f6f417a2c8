#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx llmd-bench` works right after `npm ci`.
require('tsx/cjs');
require('./llmd-bench.ts').main();
