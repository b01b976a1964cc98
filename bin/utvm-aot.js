#!/usr/bin/env node
// Entry point of the utvm-aot command: runs the compiled CLI (npm run build writes dist/).
import '../dist/src/cli.js';
