#!/usr/bin/env node
// model-service-serve [module]: serves the model exported by `module` (default export or
// `model`), or by MS_MODEL_MODULE, with the configuration from the environment.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { serve, reportStartFailure } from '../dist/runtime.bundle.js';

const spec = process.argv[2] ?? process.env.MS_MODEL_MODULE;
if (!spec) {
  process.stderr.write(
    'model-service-serve: [MS_RUNTIME_MODEL_DEFINITION_INVALID] name the model module: model-service-serve ./dist/prediction.js (or set MS_MODEL_MODULE).\n',
  );
  process.exit(1);
}
let mod;
try {
  mod = await import(pathToFileURL(resolve(spec)).href);
} catch (err) {
  process.stderr.write(
    `model-service-serve: [MS_RUNTIME_MODEL_DEFINITION_INVALID] cannot import ${spec}: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
}
const model = mod.model ?? mod.default;
try {
  await serve(model);
} catch (err) {
  reportStartFailure(err);
  process.exit(1);
}
