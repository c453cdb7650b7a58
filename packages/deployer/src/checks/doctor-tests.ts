// doctor.tests: the project's own tests pass (`npm test`, through the bounded runner).
import { fail, pass, skip, type Check } from './check.js';

export const testsCheck: Check = {
  id: 'doctor.tests',
  title: 'project tests pass (npm test)',
  description: '`npm test` in the project exits 0 (bounded to 10 minutes; --skip-tests skips it).',
  async run(ctx) {
    if (ctx.skipTests) return skip('--skip-tests');
    const result = await ctx.runner
      .run('npm', ['test'], { cwd: ctx.dir })
      .catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
    if (result.exitCode === 0) return pass('npm test exited 0');
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    return fail(
      `npm test exited ${result.exitCode}${tail ? `: ${tail}` : ''}`,
      'Run `npm test` in the project and fix the failures before deploying.',
    );
  },
};
