#!/usr/bin/env node
// Entry point of the `bulwark` command: the compiled CLI (run `npm run build` first).
import '../dist/src/cli/main.js';
