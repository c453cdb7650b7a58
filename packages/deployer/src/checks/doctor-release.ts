// doctor.release: release.yaml loads, parses and validates. It runs first: the
// checks after it read ctx.release (and ctx.raw when the file is invalid).
import { isDeployerError } from '../errors.js';
import { loadRelease } from '../release/load-release.js';
import { loadReleaseText, resolveReleasePath } from '../release/load.js';
import { parseReleaseText } from '../release/parse.js';
import { fail, pass, type Check, type CheckContext } from './check.js';

export const releaseCheck: Check = {
  id: 'doctor.release',
  title: 'release.yaml is valid',
  description:
    'release.yaml loads, parses, validates against the JSON Schema and passes the cross-field rules (the error code names the field).',
  async run(ctx) {
    try {
      const path = await resolveReleasePath(ctx.dir);
      ctx.raw = parseReleaseText(await loadReleaseText(path), path).data as CheckContext['raw'];
    } catch {
      // Reported below by loadRelease with its own code.
    }
    try {
      ctx.release = await loadRelease(ctx.dir);
      return pass(`valid; environments: ${Object.keys(ctx.release.environments).join(', ')}`);
    } catch (err) {
      if (!isDeployerError(err)) throw err;
      return fail(`${err.code}: ${err.message}`, err.hint);
    }
  },
};
