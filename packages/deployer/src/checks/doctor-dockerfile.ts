// doctor.dockerfile: the project has a Dockerfile to build (doctor --image lints it).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, pass, type Check } from './check.js';

export const dockerfileCheck: Check = {
  id: 'doctor.dockerfile',
  title: 'Dockerfile present',
  description: 'the project has a Dockerfile with a FROM instruction.',
  async run(ctx) {
    const text = await readFile(join(ctx.dir, 'Dockerfile'), 'utf8').catch(() => undefined);
    if (text === undefined)
      return fail(
        `no Dockerfile in ${ctx.dir}`,
        'Regenerate the project (yo model-service) or add a Dockerfile whose entry is `serve` on port 8080.',
      );
    if (!/^\s*FROM\s+\S+/im.test(text))
      return fail('Dockerfile has no FROM instruction', 'Start the Dockerfile with FROM <base image>.');
    return pass('Dockerfile found');
  },
};
