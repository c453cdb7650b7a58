// docs/iam.md's policies, rendered from the policy data the deployer uses: the identity's
// policy (DEPLOYER_STATEMENTS, which doctor.iam simulates), what doctor / VPC / KMS deploys
// add, and the two roles model-deploy creates, shown for an example project.
import type { AwsClients } from '../../packages/deployer/src/aws/clients.js';
import {
  DEPLOYER_STATEMENTS,
  DOCTOR_STATEMENTS,
  KMS_DEPLOY_STATEMENTS,
  VPC_DEPLOY_STATEMENTS,
  policyDocument,
} from '../../packages/deployer/src/aws/deployer-policy.js';
import { createDeployContext } from '../../packages/deployer/src/context.js';
import { parseRelease } from '../../packages/deployer/src/release/load-release.js';
import {
  lambdaPolicy,
  sagemakerPolicy,
  trustPolicy,
  type PolicyDocument,
} from '../../packages/deployer/src/resources/iam-policies.js';

/** JSON as people write policies: one statement key per line, lists and conditions on one line. */
function compact(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null))
      return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => `${inner}${compact(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    // A condition block ({"StringEquals": {...}}) reads best on the line of its key.
    if (
      entries.every(
        ([, v]) =>
          typeof v !== 'object' ||
          v === null ||
          !Object.values(v).some((x) => typeof x === 'object' && x !== null && !Array.isArray(x)),
      ) &&
      entries.some(([, v]) => typeof v === 'object' && v !== null && !Array.isArray(v))
    ) {
      return JSON.stringify(value)
        .replace(/":/g, '": ')
        .replace(/,"/g, ', "')
        .replace(/^\{/, '{ ')
        .replace(/\}$/, ' }');
    }
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compact(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

const json = (value: unknown) => ['```json', compact(value), '```'].join('\n');

export function renderDeployerPolicy(): string {
  return json(policyDocument(DEPLOYER_STATEMENTS));
}

export function renderPolicyAdditions(): string {
  return json(policyDocument([...DOCTOR_STATEMENTS, ...VPC_DEPLOY_STATEMENTS, ...KMS_DEPLOY_STATEMENTS]));
}

const EXAMPLE_RELEASE = [
  'apiVersion: model-service/v1',
  'model: { name: iris, team: data-science }',
  'region: eu-west-1',
  'environments:',
  '  dev: { instanceType: ml.t2.medium }',
  '',
].join('\n');
const EXAMPLE_WITH_VPC_AND_KEY = EXAMPLE_RELEASE.replace(
  'environments:',
  [
    'vpc: { subnetIds: [subnet-0a1b2c3d], securityGroupIds: [sg-0a1b2c3d] }',
    'kmsKeyId: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'environments:',
  ].join('\n'),
);
const EXAMPLE_ACCOUNT = '123456789012';

function exampleContext(releaseYaml: string) {
  // The policies are pure functions of the context; no client is called.
  return createDeployContext({
    release: parseRelease(releaseYaml),
    envName: 'dev',
    clients: {} as AwsClients,
    accountId: EXAMPLE_ACCOUNT,
  });
}

/** The statements of `withExtras` whose Sid `plain` does not have. */
function added(plain: PolicyDocument, withExtras: PolicyDocument): PolicyDocument {
  const known = new Set(plain.Statement.map((st) => st.Sid));
  return { Version: withExtras.Version, Statement: withExtras.Statement.filter((st) => !known.has(st.Sid)) };
}

/**
 * The roles `up` creates for model `iris`, env `dev`, account 123456789012: trust policy and
 * inline policy of each, then what a `vpc` and a `kmsKeyId` add to them.
 */
export function renderRolePolicies(): string {
  const ctx = exampleContext(EXAMPLE_RELEASE);
  const extra = exampleContext(EXAMPLE_WITH_VPC_AND_KEY);
  return [
    `SageMaker execution role \`${ctx.names.sagemakerRole}\`, trusted by SageMaker for this account only:`,
    '',
    json(trustPolicy('sagemaker.amazonaws.com', EXAMPLE_ACCOUNT)),
    '',
    'and its inline policy:',
    '',
    json(sagemakerPolicy(ctx)),
    '',
    `Lambda proxy role \`${ctx.names.lambdaRole}\`, trusted by Lambda for this account only:`,
    '',
    json(trustPolicy('lambda.amazonaws.com', EXAMPLE_ACCOUNT)),
    '',
    'and its inline policy:',
    '',
    json(lambdaPolicy(ctx)),
    '',
    'With `vpc: { subnetIds: [subnet-0a1b2c3d], securityGroupIds: [sg-0a1b2c3d] }` and a `kmsKeyId` key ARN in release.yaml, the SageMaker role gets these statements too:',
    '',
    json(added(sagemakerPolicy(ctx), sagemakerPolicy(extra))),
    '',
    'and the Lambda role these:',
    '',
    json(added(lambdaPolicy(ctx), lambdaPolicy(extra))),
  ].join('\n');
}
