#!/usr/bin/env node
// `npx model-service init [name] [flags]`: the generator without a global `yo`.
import { main } from '../generators/lib/cli.js';

process.exitCode = await main(process.argv.slice(2));
