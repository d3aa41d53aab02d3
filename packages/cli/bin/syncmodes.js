#!/usr/bin/env node
import { runBin } from '../dist/index.js';

// Ends the process once the summary and the report are written (see runBin).
await runBin(process.argv.slice(2), { cliModuleUrl: import.meta.url });
