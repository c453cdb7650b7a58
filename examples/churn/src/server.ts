// Container entry. SageMaker starts the image as `docker run <image> serve`; `npm start`
// runs the same thing. Listens on PORT (default 8080) and drains on SIGTERM.
import { serve } from '@model-service/runtime';
import { serveOptions } from './app.js';
import { createModel } from './model_loader.js';

const command = process.argv[2] ?? 'serve';
if (command !== 'serve') {
  process.stderr.write(`Unknown command "${command}": this service only knows "serve" (the SageMaker entry).\n`);
  process.exit(2);
}
await serve(createModel(), serveOptions());
