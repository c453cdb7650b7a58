// doctor.docker: the container CLI that --builder picks answers `--version`.
import { fail, pass, type Check } from './check.js';

export const builderCheck: Check = {
  id: 'doctor.docker',
  title: 'container CLI present',
  description: 'the container CLI picked by --builder (docker, buildah, podman) runs `--version`.',
  async run(ctx) {
    const result = await ctx.runner.run(ctx.builder, ['--version']).catch(() => undefined);
    if (result && result.exitCode === 0) return pass(result.stdout.trim().split('\n')[0] || `${ctx.builder} found`);
    return fail(
      `${ctx.builder} CLI not found or not working`,
      `Install ${ctx.builder}, or pick another builder with --builder docker|buildah|podman.`,
    );
  },
};
