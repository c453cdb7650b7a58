// docs/iam.md's policies, rendered from the policy data the deployer uses: the identity's
// policy (DEPLOYER_STATEMENTS, which doctor.iam simulates), what doctor / VPC / KMS deploys
// add, and the two roles model-deploy creates, shown for an example project.
import type { AwsClients } from '../../packages/deployer/src/aws/clients.js';
import { DEPLOYER_STATEMENTS, DOCTOR_STATEMENTS, KMS_DEPLOY_STATEMENTS, VPC_DEPLOY_STATEMENTS, policyDocument } from '../../packages/deployer/src/aws/deployer-policy.js';
import { createDeployContext } from '../../packages/deployer/src/context.js';
import { parseRelease } from '../../packages/deployer/src/release/load-release.js';
import { lambdaPolicy, sagemakerPolicy } from '../../packages/deployer/src/resources/iam-policies.js';

/** JSON as people write policies: one statement key per line, lists and conditions on one line. */
function compact(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => `${inner}${compact(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    // A condition block ({"StringEquals": {...}}) reads best on the line of its key.
    if (entries.every(([, v]) => typeof v !== 'object' || v === null || !Object.values(v).some((x) => typeof x === 'object' && x !== null && !Array.isArray(x)))
      && entries.some(([, v]) => typeof v === 'object' && v !== null && !Array.isArray(v))) {
      return JSON.stringify(value).replace(/":/g, '": ').replace(/,"/g, ', "').replace(/^\{/, '{ ').replace(/\}$/, ' }');
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

const EXAMPLE_RELEASE = ['apiVersion: model-service/v1', 'model: { name: iris, team: data-science }', 'region: eu-west-1', 'environments:', '  dev: { instanceType: ml.t2.medium }', ''].join('\n');
const EXAMPLE_ACCOUNT = '123456789012';

/** The inline policies of the roles `up` creates for model `iris`, env `dev`, account 123456789012 (no vpc, no kmsKeyId). */
export function renderRolePolicies(): string {
  // The policies are pure functions of the context; no client is called.
  const ctx = createDeployContext({ release: parseRelease(EXAMPLE_RELEASE), envName: 'dev', clients: {} as AwsClients, accountId: EXAMPLE_ACCOUNT });
  return [
    `SageMaker execution role \`${ctx.names.sagemakerRole}\`:`,
    '',
    json(sagemakerPolicy(ctx)),
    '',
    `Lambda proxy role \`${ctx.names.lambdaRole}\`:`,
    '',
    json(lambdaPolicy(ctx)),
  ].join('\n');
}
