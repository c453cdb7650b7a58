// doctor.artifacts: the model artifact exists, fits in an image, and is the one
// release.yaml's model.sha256 records.
import { join, resolve } from 'node:path';
import { mb, sha256File, sizeOf } from './artifact-files.js';
import { fail, pass, skip, type Check } from './check.js';

export const MAX_ARTIFACT_BYTES = 500 * 1024 * 1024;

export const artifactsCheck: Check = {
  id: 'doctor.artifacts',
  title: 'model artifacts present and < 500 MB',
  description:
    'model.artifact (or model/) exists, is under 500 MB, and matches model.sha256 when release.yaml records one.',
  async run(ctx) {
    const model = ctx.release?.model;
    if (!model) return skip('release.yaml is not valid');
    const target = model.artifact ? resolve(ctx.dir, model.artifact) : join(ctx.dir, 'model');
    const size = await sizeOf(target).catch(() => undefined);
    if (size === undefined) {
      if (!model.artifact) return skip('no model.artifact in release.yaml and no model/ directory');
      return fail(
        `model.artifact ${model.artifact} does not exist`,
        'Train/export the model into that path, or fix model.artifact in release.yaml.',
      );
    }
    if (size >= MAX_ARTIFACT_BYTES) {
      return fail(
        `${model.artifact ?? 'model/'} is ${mb(size)} (limit 500 MB)`,
        'Shrink the model (quantize, prune) or load it from S3 at start instead of baking it into the image.',
      );
    }
    if (model.artifact && model.sha256) {
      const actual = await sha256File(target);
      if (actual !== model.sha256) {
        return fail(
          `${model.artifact} sha256 is ${actual}, release.yaml says ${model.sha256}`,
          'Update model.sha256 after retraining, or restore the artifact that was reviewed.',
        );
      }
    }
    return pass(`${model.artifact ?? 'model/'} ${mb(size)}${model.sha256 ? ', sha256 matches' : ''}`);
  },
};
