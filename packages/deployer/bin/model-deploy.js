#!/usr/bin/env node
// model-deploy: see `model-deploy --help`. The exit code comes from the command;
// no process.exit(), so stdout is flushed before the process ends.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
