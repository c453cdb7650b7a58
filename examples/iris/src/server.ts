// `npm start`: serves the iris model with the SageMaker container contract on PORT (default
// 8080). Every MS_* variable of the runtime's configuration table applies (cache, batching, ...);
// IRIS_MODEL_PATH serves another model file of the same format (default model/iris-model.json).
import { serve } from '@model-service/runtime';
import { createIrisModel } from './model.js';

await serve(createIrisModel({ modelPath: process.env.IRIS_MODEL_PATH || undefined }));
