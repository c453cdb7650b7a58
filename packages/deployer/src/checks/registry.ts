// The check registry: every check with a stable id, in one place. `doctor` runs
// PREDEPLOY_CHECKS (IMAGE_CHECKS with --image), `verify` runs VERIFY_CHECKS, the
// generated project's tests are TEST_CHECKS; checkCatalog() joins them for
// docs/checklist.md and the README (tests keep all of them in step). Add a check:
// its own file, then its import and one entry in the right list. This file only lists.
import type { CatalogEntry, Check, CheckInfo, CheckPhase, TestCheckInfo } from './check.js';
import { artifactsCheck } from './doctor-artifacts.js';
import { capacityCheck } from './doctor-capacity.js';
import { credentialsCheck } from './doctor-credentials.js';
import { builderCheck } from './doctor-docker.js';
import { dockerfileCheck } from './doctor-dockerfile.js';
import { encryptionCheck } from './doctor-encryption.js';
import { ciConfigCheck, gitCleanCheck, gitPushedCheck } from './doctor-git.js';
import { goldenCheck as doctorGoldenCheck } from './doctor-golden.js';
import { iamArnsCheck } from './doctor-iam-arns.js';
import { iamCheck } from './doctor-iam.js';
import { modelMetricsCheck } from './doctor-model-metrics.js';
import { regionCheck } from './doctor-region.js';
import { releaseCheck } from './doctor-release.js';
import { testsCheck } from './doctor-tests.js';
import { serverlessCheck } from './doctor-serverless.js';
import { volumeCheck } from './doctor-volume.js';
import { vpcEgressCheck, vpcSecurityGroupsCheck, vpcSubnetsCheck } from './doctor-vpc.js';
import { dockerfileLintCheck } from './dockerfile-lint.js';
import { imageContractCheck, imageLogsCheck, imageSizeCheck } from './image-checks.js';
import { secretsCheck } from './secrets-check.js';
import {
  apiHealthCheck,
  apiReachableCheck,
  goldenCheck,
  invalidRejectedCheck,
  noTokenRejectedCheck,
  validTokenAcceptedCheck,
} from './verify-api.js';
import { CLOUDWATCH_CHECKS } from './verify-cloudwatch.js';
import type { VerifyCheck } from './verify-context.js';
import { endpointInServiceCheck, lambdaActiveCheck, vpcCheck } from './verify-endpoint.js';
import { cacheHitRateCheck, errorRateCheck, latencyCheck, throughputCheck } from './verify-slo.js';

/** In run order: release first, since later checks read the loaded file. */
export const PREDEPLOY_CHECKS: readonly Check[] = [
  releaseCheck,
  regionCheck,
  credentialsCheck,
  artifactsCheck,
  doctorGoldenCheck,
  modelMetricsCheck,
  dockerfileCheck,
  testsCheck,
  builderCheck,
  iamArnsCheck,
  gitCleanCheck,
  gitPushedCheck,
  ciConfigCheck,
  volumeCheck,
  serverlessCheck,
  encryptionCheck,
  capacityCheck,
  iamCheck,
  vpcSubnetsCheck,
  vpcSecurityGroupsCheck,
  vpcEgressCheck,
];

/**
 * `doctor --image <ref>`: the image and what goes into it, before it leaves the
 * machine and before any AWS call (after doctor.release, which reads image.maxSizeMb).
 */
export const IMAGE_CHECKS: readonly Check[] = [
  dockerfileLintCheck,
  secretsCheck,
  imageContractCheck,
  imageLogsCheck,
  imageSizeCheck,
];

/** `verify <env>`'s checks, in the order it runs and reports them. */
export const VERIFY_CHECKS: readonly VerifyCheck[] = [
  endpointInServiceCheck,
  lambdaActiveCheck,
  vpcCheck,
  apiReachableCheck,
  noTokenRejectedCheck,
  apiHealthCheck,
  validTokenAcceptedCheck,
  invalidRejectedCheck,
  goldenCheck,
  latencyCheck,
  errorRateCheck,
  cacheHitRateCheck,
  throughputCheck,
  ...CLOUDWATCH_CHECKS,
];

/** The generated project's own tests, by template. Append yours. */
export const TEST_CHECKS: readonly TestCheckInfo[] = [
  {
    id: 'test.health',
    title: 'health endpoints',
    template: 'templates/common/tests/health.test.ts.ejs',
    description:
      'GET /ping answers 200 once the model loaded, /health/ready reports UP, a missing artifact fails the model check.',
  },
  {
    id: 'test.inference',
    title: 'inference',
    template: 'templates/common/tests/inference.test.ts.ejs',
    description: 'POST /invocations with sample-request.json gets one valid prediction per instance.',
  },
  {
    id: 'test.invalid-input',
    title: 'invalid input',
    template: 'templates/common/tests/invalid-input.test.ts.ejs',
    description:
      'a missing field or wrong type is a 400 naming the field, non-JSON a 400, an unsupported content type a 415.',
  },
  {
    id: 'test.golden',
    title: 'golden set',
    template: 'templates/common/tests/golden.test.ts.ejs',
    description:
      'every line of tests/golden.jsonl, replayed over HTTP through the real service, gets the answer the trained model gave (within its tolerance); a placeholder file fails.',
  },
  {
    id: 'test.model-artifact',
    title: 'model artifact',
    template: 'templates/common/tests/model-artifact.test.ts.ejs',
    description: 'the artifact in model/ has the SHA-256 that src/model_loader.ts pins and release.yaml records.',
  },
];

function entry(info: CheckInfo, phase: CheckPhase): CatalogEntry {
  return {
    id: info.id,
    title: info.title,
    phase,
    description: info.description ?? info.title,
    ...(info.covers ? { covers: info.covers } : {}),
  };
}

/** Every check with a stable id, the one list doctor, verify, the generated tests and docs/checklist.md agree on. */
export function checkCatalog(): CatalogEntry[] {
  return [
    // Every doctor check: the default run, then the ones behind `doctor --image`.
    ...PREDEPLOY_CHECKS.map((c) => entry(c, 'doctor')),
    ...IMAGE_CHECKS.map((c) => ({ ...entry(c, 'doctor'), option: '--image' })),
    ...VERIFY_CHECKS.map((c) => entry(c, 'verify')),
    ...TEST_CHECKS.map((c) => entry(c, 'test')),
  ];
}
