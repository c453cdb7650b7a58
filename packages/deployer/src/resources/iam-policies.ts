// The IAM documents, as data: trust policies and least-privilege inline
// policies naming actions and the exact resources (no `*` action anywhere).
import type { DeployContext } from '../context.js';
import { kmsAliasName, kmsKeysNear } from './kms.js';
import { endpointKmsKeyId } from './sagemaker-endpoint-config.js';
import { vpcStatements } from './vpc-policies.js';

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: { Effect: 'Allow'; Principal: { Service: string }; Action: 'sts:AssumeRole' }[];
}

export function trustPolicy(service: 'sagemaker.amazonaws.com' | 'lambda.amazonaws.com'): TrustPolicy {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] };
}

function logStatement(logGroupArn: string): Statement {
  return {
    Sid: 'WriteOwnLogs',
    Effect: 'Allow',
    Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    // The group itself and its streams (`:*` is the log-stream suffix, not a wildcard action).
    Resource: [logGroupArn, `${logGroupArn}:*`],
  };
}

/**
 * With release.yaml kmsKeyId (and an EBS-backed type): what SageMaker needs, as the
 * execution role, to encrypt the endpoint's volume with that key. A key ARN is named
 * exactly; for an alias ARN, KMS authorizes on the key behind it, so the statement
 * names the keys of that account and region that carry the alias (kms:ResourceAliases).
 */
export function kmsStatements(ctx: DeployContext): Statement[] {
  const keyId = endpointKmsKeyId(ctx.release, ctx.envName, ctx.env.instanceType);
  if (keyId === undefined) return [];
  const Action = ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
  const alias = kmsAliasName(keyId);
  if (alias === undefined) return [{ Sid: 'EncryptEndpointVolume', Effect: 'Allow', Action, Resource: [keyId] }];
  return [{
    Sid: 'EncryptEndpointVolume', Effect: 'Allow', Action, Resource: [kmsKeysNear(keyId)],
    Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } },
  }];
}

/** What the SageMaker endpoint's containers need: pull the one image repo, write the endpoint's logs (and, with kmsKeyId, use that key). */
export function sagemakerPolicy(ctx: DeployContext): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PullModelImage',
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: [ctx.arns.ecrRepository],
      },
      {
        Sid: 'EcrLogin',
        Effect: 'Allow',
        Action: ['ecr:GetAuthorizationToken'],
        // The only `*` resource: GetAuthorizationToken is account-wide and supports
        // no resource-level permission (AWS requires "*"); it grants no image access by itself.
        Resource: ['*'],
      },
      logStatement(ctx.arns.endpointLogGroup),
      ...vpcStatements(ctx, 'sagemaker'),
      ...kmsStatements(ctx),
    ],
  };
}

/** What the Lambda proxy needs: invoke the one endpoint, write its own logs. */
export function lambdaPolicy(ctx: DeployContext): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'InvokeModelEndpoint', Effect: 'Allow', Action: ['sagemaker:InvokeEndpoint'], Resource: [ctx.arns.endpoint] },
      logStatement(ctx.arns.lambdaLogGroup),
      ...vpcStatements(ctx, 'lambda'),
    ],
  };
}
