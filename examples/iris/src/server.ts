// `npm start`: serves the iris model with the SageMaker container contract on PORT (default
// 8080). Every MS_* variable of the runtime's configuration table applies (cache, batching, ...);
// IRIS_MODEL_PATH serves another model file of the same format (default model/iris-model.json).
// With MS_MODEL_PATH + MS_MODEL_SHA256 the runtime checks the file's hash before the start, and
// that same file is the one loaded (unless IRIS_MODEL_PATH names another).
import { serve } from '@model-service/runtime';
import { createIrisModel } from './model.js';

await serve(createIrisModel({ modelPath: process.env.IRIS_MODEL_PATH || process.env.MS_MODEL_PATH || undefined }));
