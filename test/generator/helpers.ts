// Shared by the generator tests: where things are, the deployer's release schema (the one
// schema; the generator keeps no copy), and a yeoman-test run with the usual options.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import helpers, { type RunContextBase } from 'yeoman-test';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const APP = join(ROOT, 'generators', 'app', 'index.ts');

const require = createRequire(import.meta.url);

let validator: ValidateFunction | undefined;
/** Ajv over `@model-service/deployer/release-schema.json`, resolved through the package's exports. */
export function releaseValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(
      readFileSync(require.resolve('@model-service/deployer/release-schema.json'), 'utf8'),
    ) as object;
    validator = new Ajv({ allErrors: true, strict: false, useDefaults: true }).compile(schema);
  }
  return validator;
}

export function readYaml(path: string): Record<string, any> {
  return parse(readFileSync(path, 'utf8')) as Record<string, any>;
}

/**
 * Options for `withOptions`, which types only Yeoman's own options: the generator's flags
 * (`yes`, `cache`, ...) are read from `this.options` as a plain record (see parseFlags).
 */
export function genOptions(options: Record<string, unknown>): Parameters<RunContextBase['withOptions']>[0] {
  return options;
}

/** Runs the app generator non-interactively (no install) with `flags`, as `init <name>`. */
export function runInit(name: string | undefined, flags: Record<string, unknown> = {}) {
  return helpers
    .run(APP, { namespace: 'model-service:app' })
    .withArguments(name ? ['init', name] : ['init'])
    .withOptions(genOptions({ yes: true, skipInstall: true, ...flags }));
}
