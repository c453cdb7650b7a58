// doctor.region: a well-formed AWS region that exists (the AWS SDK's table), from release.yaml or the environment.
import { isKnownRegion } from '../release/known-region.js';
import { fail, pass, type Check } from './check.js';

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export const regionCheck: Check = {
  id: 'doctor.region',
  title: 'AWS region is set',
  description: 'release.yaml (or AWS_REGION) names a well-formed AWS region; release.yaml wins over the environment.',
  async run(ctx) {
    const fromEnv = ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
    const rawRegion = typeof ctx.raw?.region === 'string' ? ctx.raw.region : undefined;
    const region = ctx.release?.region ?? rawRegion ?? fromEnv;
    if (!region)
      return fail(
        'no region in release.yaml and AWS_REGION is not set',
        'Set region: in release.yaml (e.g. eu-west-1).',
      );
    if (!REGION.test(region))
      return fail(`"${region}" is not an AWS region name`, 'Use a region code such as eu-west-1 or us-east-1.');
    if (!isKnownRegion(region))
      return fail(
        `"${region}" is not an AWS region (the AWS SDK's region table does not have it)`,
        'Use a region code such as eu-west-1 or us-east-1; a region newer than this deployer needs a newer @aws-sdk.',
      );
    const note = fromEnv && fromEnv !== region ? ` (AWS_REGION=${fromEnv} is ignored: release.yaml decides)` : '';
    return pass(`${region}${note}`);
  },
};
