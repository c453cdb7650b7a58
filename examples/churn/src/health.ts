// Custom readiness checks: /health/ready answers 503 while any of them throws or returns
// false, so SageMaker and load balancers stop sending traffic. Add your own here
// (a feature store, a downstream API, a licence file ...); keep each one fast.
import { access, constants } from 'node:fs/promises';
import type { ReadinessCheck } from '@model-service/runtime';
import { MODEL_PATH } from './model_loader.js';

/**
 * The checks /health/ready runs on every probe.
 * @param modelPath the artifact that must stay readable (default: the one the loader reads)
 */
export function readinessChecks(modelPath = MODEL_PATH): ReadinessCheck[] {
  return [
    {
      // The artifact must stay readable: a rolled-back volume or a bad mount shows up here.
      name: 'model-artifact',
      async check() {
        await access(modelPath, constants.R_OK);
        return true;
      },
    },
  ];
}
