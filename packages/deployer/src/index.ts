// @model-service/deployer as a library: the CLI's entry, release.yaml loading, the
// error table and the check registry (`model-deploy` is bin/model-deploy.js).
export { main, runCli, EXIT } from './cli.js';
export { loadRelease, parseRelease } from './release/load-release.js';
export type { EnvName, EnvironmentConfig, ReleaseConfig } from './release/types.js';
export { DeployerError, ERRORS, isDeployerError, type ErrorCode, type Fault } from './errors.js';
export { checkCatalog, IMAGE_CHECKS, PREDEPLOY_CHECKS, TEST_CHECKS, VERIFY_CHECKS } from './checks/registry.js';
export type { CatalogEntry, Check, CheckResult } from './checks/check.js';
