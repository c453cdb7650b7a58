// load -> parse -> validate -> cross-field rules -> deep freeze. Pure of AWS:
// a bad release.yaml stops here, before any client is even created.
import { isAbsolute, relative } from 'node:path';
import { DeployerError, isDeployerError } from '../errors.js';
import { deepFreeze } from './freeze.js';
import { loadReleaseText, resolveReleasePath } from './load.js';
import { parseReleaseText } from './parse.js';
import { applyReleaseRules } from './rules.js';
import type { EnvironmentConfig, EnvName, ReleaseConfig } from './types.js';
import { validateRelease } from './validate.js';

/** From YAML text (already read). A field's error leads with its file:line:column. */
export function parseRelease(text: string, path = 'release.yaml'): ReleaseConfig {
  const { data, locate } = parseReleaseText(text, path);
  try {
    return deepFreeze(applyReleaseRules(validateRelease(data)));
  } catch (err) {
    const yamlPath = isDeployerError(err) ? err.params.yamlPath : undefined;
    if (!isDeployerError(err) || typeof yamlPath !== 'string') throw err;
    throw new DeployerError(err.code, { ...err.params, where: locate(yamlPath) }, { cause: err.cause });
  }
}

/** From a project directory or a release.yaml path. */
export async function loadRelease(target: string): Promise<ReleaseConfig> {
  const path = await resolveReleasePath(target);
  return parseRelease(await loadReleaseText(path), shortest(path));
}

/** `release.yaml:5:38` in the project directory, the absolute path elsewhere. */
function shortest(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
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
