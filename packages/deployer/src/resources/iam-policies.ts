// The IAM documents, as data: trust policies and least-privilege inline
// policies naming actions and the exact resources (no `*` action anywhere).
import type { DeployContext } from '../context.js';
import { kmsAliasName, kmsKeyIdOf, kmsKeysNear } from './kms.js';
import { asyncPaths, prefixObjectsArn } from './async-paths.js';
import { endpointKmsKeyId } from './sagemaker-endpoint-config.js';
import type { Statement } from './policy-statement.js';
import { cacheArns, provisionsCache } from './cache-names.js';
import { vpcStatements } from './vpc-policies.js';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

export interface TrustPolicy {
  Version: '2012-10-17';
  Statement: {
    Effect: 'Allow';
    Principal: { Service: string };
    Action: 'sts:AssumeRole';
    Condition: { StringEquals: { 'aws:SourceAccount': string } };
  }[];
}

/**
 * Only the service, and only on behalf of this account (confused-deputy guard).
 * No aws:SourceArn: neither Lambda nor SageMaker hosting documents sending it when
 * they assume an execution role, and a condition on a missing key would lock the service out.
 */
export function trustPolicy(
  service: 'sagemaker.amazonaws.com' | 'lambda.amazonaws.com',
  accountId: string,
): TrustPolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  };
}

/** SageMaker creates the endpoint's log group itself when it is missing and lists its streams. */
function sagemakerLogStatement(logGroupArn: string): Statement {
  return {
    Sid: 'WriteOwnLogs',
    Effect: 'Allow',
    Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    // The group itself and its streams (`:*` is the log-stream suffix, not a wildcard action).
    Resource: [logGroupArn, `${logGroupArn}:*`],
  };
}

/**
 * Lambda writes the function's log streams as this role, and creates the group on the first
 * invocation when it does not exist (`up` does not create log groups).
 */
function lambdaLogStatements(logGroupArn: string): Statement[] {
  return [
    { Sid: 'CreateOwnLogGroup', Effect: 'Allow', Action: ['logs:CreateLogGroup'], Resource: [logGroupArn] },
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${logGroupArn}:log-stream:*`],
    },
  ];
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
  const alias = kmsAliasName(keyId);
  const Resource = [alias === undefined ? keyId : kmsKeysNear(keyId)];
  // Only through SageMaker in this region (and, for an alias, only the key behind it).
  const Condition: Statement['Condition'] = {
    StringEquals: { 'kms:ViaService': `sagemaker.${ctx.account.region}.amazonaws.com` },
    ...(alias === undefined ? {} : { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } }),
  };
  return [
    {
      Sid: 'EncryptEndpointVolume',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      Resource,
      Condition,
    },
    // Grants only for an AWS resource: SageMaker's grant for the endpoint's volume, never one to a person.
    {
      Sid: 'GrantForEndpointVolume',
      Effect: 'Allow',
      Action: ['kms:CreateGrant'],
      Resource,
      Condition: { ...Condition, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ];
}

/**
 * With release.yaml capture: SageMaker writes the captured records as the execution role,
 * so the role may put objects under the capture prefix only (and use the capture key).
 */
export function dataCaptureStatements(ctx: DeployContext): Statement[] {
  const capture = ctx.release.capture;
  if (capture === undefined) return [];
  const bucketAndPrefix = capture.destination.replace(/^s3:\/\//, '').replace(/\/+$/, '');
  const statements: Statement[] = [
    {
      Sid: 'WriteDataCapture',
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: [`arn:${ctx.account.partition}:s3:::${bucketAndPrefix}/*`],
    },
  ];
  if (capture.kmsKeyId !== undefined) {
    const alias = kmsAliasName(capture.kmsKeyId);
    statements.push({
      Sid: 'EncryptDataCapture',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: [alias === undefined ? capture.kmsKeyId : kmsKeysNear(capture.kmsKeyId)],
      ...(alias === undefined ? {} : { Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } } }),
    });
  }
  return statements;
}

/** A KMS key ARN as IAM names it: the key itself, or (alias ARN) the keys of its account and region carrying the alias. */
function keyResource(keyId: string): Pick<Statement, 'Resource' | 'Condition'> {
  const alias = kmsAliasName(keyId);
  return alias === undefined
    ? { Resource: [keyId] }
    : { Resource: [kmsKeysNear(keyId)], Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } } };
}

/**
 * An async environment: SageMaker, as the execution role, reads each request's input from the
 * inputs/ prefix, writes the answer under results/ or the error under failures/ (with the env's
 * KMS key when set) and announces it on the release's SNS topics. Nothing else in the bucket.
 */
export function asyncEndpointStatements(ctx: DeployContext, topicKeys: readonly string[] = []): Statement[] {
  const config = ctx.env.async;
  if (config === undefined) return [];
  const { partition } = ctx.account;
  const paths = asyncPaths(config);
  const statements: Statement[] = [
    {
      Sid: 'ReadAsyncInputs',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [prefixObjectsArn(partition, paths.bucket, paths.inputPrefix)],
    },
    {
      Sid: 'WriteAsyncResults',
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: [
        prefixObjectsArn(partition, paths.bucket, paths.resultPrefix),
        prefixObjectsArn(partition, paths.bucket, paths.failurePrefix),
      ],
    },
  ];
  const topics = [config.notifications?.successTopic, config.notifications?.errorTopic].filter(
    (t): t is string => t !== undefined,
  );
  if (topics.length > 0) {
    statements.push({
      Sid: 'NotifyAsyncResults',
      Effect: 'Allow',
      Action: ['sns:Publish'],
      Resource: [...new Set(topics)],
    });
  }
  // SNS encrypts each message with the topic's key as the publisher: GenerateDataKey and Decrypt.
  topicKeys.forEach((key, i) => {
    statements.push({
      Sid: `PublishToEncryptedTopic${i + 1}`,
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      ...keyResource(key),
    });
  });
  const keyId = kmsKeyIdOf(ctx.release, ctx.envName);
  if (keyId !== undefined) {
    statements.push({
      Sid: 'EncryptAsyncResults',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
      ...keyResource(keyId),
    });
  }
  return statements;
}

/** The provisioned cache: the runtime's IAM auth token is good for this one cache as this one user. */
export function cacheConnectStatements(ctx: DeployContext): Statement[] {
  if (!provisionsCache(ctx)) return [];
  const arns = cacheArns(ctx);
  return [
    { Sid: 'ConnectToCache', Effect: 'Allow', Action: ['elasticache:Connect'], Resource: [arns.cache, arns.user] },
  ];
}

/** What the SageMaker endpoint's containers need: pull the one image repo, write the endpoint's logs (and, with kmsKeyId, use that key). */
export function sagemakerPolicy(ctx: DeployContext, asyncTopicKeys: readonly string[] = []): PolicyDocument {
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
      sagemakerLogStatement(ctx.arns.endpointLogGroup),
      ...vpcStatements(ctx, 'sagemaker'),
      ...kmsStatements(ctx),
      ...dataCaptureStatements(ctx),
      ...asyncEndpointStatements(ctx, asyncTopicKeys),
      ...cacheConnectStatements(ctx),
    ],
  };
}

/** What the Lambda proxy needs: invoke the one endpoint, read its status for /health, write its own logs. */
export function lambdaPolicy(ctx: DeployContext): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'InvokeModelEndpoint',
        Effect: 'Allow',
        Action: ['sagemaker:InvokeEndpoint'],
        Resource: [ctx.arns.endpoint],
      },
      {
        Sid: 'ReadEndpointStatus',
        Effect: 'Allow',
        Action: ['sagemaker:DescribeEndpoint'],
        Resource: [ctx.arns.endpoint],
      },
      ...lambdaLogStatements(ctx.arns.lambdaLogGroup),
      ...vpcStatements(ctx, 'lambda'),
    ],
  };
}
