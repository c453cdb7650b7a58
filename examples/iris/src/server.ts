// `npm start`: serves the iris model with the SageMaker container contract on PORT (default
// 8080). Every MS_* variable of the runtime's configuration table applies (cache, batching, ...);
// IRIS_MODEL_PATH serves another model file of the same format (default model/iris-model.json).
import { reportStartFailure, serve } from '@model-service/runtime';
import { createIrisModel } from './model.js';

let model;
try {
  model = createIrisModel({ modelPath: process.env.IRIS_MODEL_PATH || undefined });
} catch (err) {
  // A missing or corrupt model file is an operator mistake: one clear line, no stack, exit 1.
  reportStartFailure(Object.assign(err as Error, { userError: true }));
  process.exit(1);
}
await serve(model);
