#!/usr/bin/env node
import { main } from '../dist/index.js';

main(process.argv.slice(2), { cliModuleUrl: import.meta.url }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 2;
  },
);
