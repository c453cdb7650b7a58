// `model-deploy policy`: the IAM policy the identity running model-deploy needs,
// and the permissions boundary of the roles it creates, for the user to apply.
// With a release.yaml in --dir, only the statements that release needs (VPC, KMS).
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  DEPLOYER_STATEMENTS,
  DOCTOR_STATEMENTS,
  KMS_DEPLOY_STATEMENTS,
  deployerPolicy,
  policyDocument,
  VPC_DEPLOY_STATEMENTS,
  type PolicyDocumentJson,
} from '../aws/deployer-policy.js';
import { DeployerError } from '../errors.js';
import { loadRelease } from '../release/load-release.js';
import { BOUNDARY_POLICY_NAME, roleBoundary } from '../resources/iam-boundary.js';
import { projectDir, writeJson, type CliRuntime, type CommonOptions } from './session.js';

export interface PolicyOptions extends CommonOptions {
  accountId?: string;
  partition?: string;
}

const ACCOUNT_ID = /^\d{12}$/;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function fill(doc: PolicyDocumentJson, partition: string, accountId: string): PolicyDocumentJson {
  return JSON.parse(
    JSON.stringify(doc).replaceAll('<account-id>', accountId).replaceAll('arn:aws:', `arn:${partition}:`),
  ) as PolicyDocumentJson;
}

export async function runPolicy(rt: CliRuntime, opts: PolicyOptions): Promise<number> {
  const accountId = opts.accountId ?? '<account-id>';
  if (opts.accountId !== undefined && !ACCOUNT_ID.test(opts.accountId))
    throw new DeployerError('MS_DEPLOY_USAGE', {
      reason: `--account-id ${opts.accountId} is not a 12-digit AWS account id`,
    });
  const partition = opts.partition ?? 'aws';
  const dir = projectDir(rt, opts);
  const hasRelease = await exists(join(dir, 'release.yaml'));
  const deployer = hasRelease
    ? deployerPolicy({ partition, accountId, release: await loadRelease(dir) }).deployer
    : fill(
        policyDocument([
          ...DEPLOYER_STATEMENTS,
          ...VPC_DEPLOY_STATEMENTS,
          ...KMS_DEPLOY_STATEMENTS,
          ...DOCTOR_STATEMENTS,
        ]),
        partition,
        accountId,
      );
  const boundary = roleBoundary(partition, accountId);
  if (opts.json) {
    writeJson(rt, { deployer, boundary, boundaryName: BOUNDARY_POLICY_NAME });
    return 0;
  }
  rt.io.stdout.write(
    [
      `# The policy of the identity that runs model-deploy${hasRelease ? ' (for this release.yaml)' : ' (every optional statement; run in the project for only what it needs)'}`,
      JSON.stringify(deployer, null, 2),
      '',
      `# The permissions boundary up attaches to every role it creates (created once as ${BOUNDARY_POLICY_NAME})`,
      JSON.stringify(boundary, null, 2),
      '',
      '# Apply, for example:',
      '#   model-deploy policy --json | jq .deployer > deployer-policy.json',
      '#   aws iam put-role-policy --role-name <deploy-role> --policy-name model-deploy --policy-document file://deployer-policy.json',
      '',
    ].join('\n'),
  );
  return 0;
}

export function policyCommand(rt: CliRuntime, exit: (code: number) => void): Command {
  return new Command('policy')
    .description(
      'print the IAM policy the identity running model-deploy needs, and the permissions boundary of the roles it creates',
    )
    .option('--account-id <id>', 'fill in this account id (default: <account-id> placeholders)')
    .option('--partition <name>', 'aws, aws-cn or aws-us-gov', 'aws')
    .action(async (opts: PolicyOptions) => exit(await runPolicy(rt, opts)));
}
