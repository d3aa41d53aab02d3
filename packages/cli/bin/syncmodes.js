#!/usr/bin/env node
// Ctrl-C / SIGTERM are caught first, before the CLI is loaded, so an early one still stops
// the run with a summary and a report (see catchEarlyInterrupts).
import { catchEarlyInterrupts } from '../dist/early-interrupts.js';

const interrupts = catchEarlyInterrupts();
const { runBin } = await import('../dist/index.js');
// Ends the process once the summary and the report are written (see runBin).
await runBin(process.argv.slice(2), { cliModuleUrl: import.meta.url, interrupts });
