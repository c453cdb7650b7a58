// load -> parse -> validate -> cross-field rules -> deep freeze. Pure of AWS:
// a bad release.yaml stops here, before any client is even created.
import { DeployerError } from '../errors.js';
import { deepFreeze } from './freeze.js';
import { loadReleaseText, resolveReleasePath } from './load.js';
import { parseReleaseText } from './parse.js';
import { applyReleaseRules } from './rules.js';
import type { EnvironmentConfig, EnvName, ReleaseConfig } from './types.js';
import { validateRelease } from './validate.js';

/** From YAML text (already read). */
export function parseRelease(text: string, path = 'release.yaml'): ReleaseConfig {
  return deepFreeze(applyReleaseRules(validateRelease(parseReleaseText(text, path))));
}

/** From a project directory or a release.yaml path. */
export async function loadRelease(target: string): Promise<ReleaseConfig> {
  const path = await resolveReleasePath(target);
  return parseRelease(await loadReleaseText(path), path);
}

export function environmentOf(release: ReleaseConfig, envName: string): EnvironmentConfig {
  const env = release.environments[envName as EnvName];
  if (!env) {
    throw new DeployerError('MS_DEPLOY_UNKNOWN_ENV', {
      env: envName,
      known: Object.keys(release.environments).join(', '),
    });
  }
  return env;
}
