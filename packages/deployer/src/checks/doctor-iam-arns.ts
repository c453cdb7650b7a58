// doctor.iam.arns: role ARNs given in release.yaml are IAM role ARNs. It reads the
// unvalidated file too, so a bad ARN is reported even when doctor.release fails.
import { fail, pass, skip, type Check } from './check.js';

const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export const iamArnsCheck: Check = {
  id: 'doctor.iam.arns',
  title: 'IAM role ARNs in release.yaml are well-formed',
  description:
    'iam.sagemakerRoleArn / iam.lambdaRoleArn, when given, are IAM role ARNs (otherwise model-deploy creates least-privilege roles).',
  async run(ctx) {
    const iam = ctx.release?.iam ?? ctx.raw?.iam;
    if (!ctx.release && !ctx.raw) return skip('release.yaml is not readable');
    const given = Object.entries(iam ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)] as [string, string]);
    if (given.length === 0) return skip('no role ARNs given: model-deploy creates least-privilege roles');
    const bad = given.filter(([, arn]) => !ROLE_ARN.test(arn));
    if (bad.length) {
      return fail(
        bad.map(([k, v]) => `iam.${k} "${v}" is not an IAM role ARN`).join('; '),
        'Use arn:aws:iam::<12-digit account>:role/<name>, or remove it to let model-deploy create the role.',
      );
    }
    return pass(given.map(([k]) => `iam.${k}`).join(', '));
  },
};
