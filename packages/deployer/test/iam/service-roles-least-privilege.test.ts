// Least privilege of the two roles model-deploy creates, proven with an IAM
// policy simulator (@cloud-copilot/iam-simulate): every request the principal
// makes is allowed by the policy we write for it, and every action the policy
// grants is needed by one of those requests.
//   Lambda proxy role: the calls the real handler sends (recorded from
//   aws-sdk-client-mock) plus what the Lambda service does as the role.
//   SageMaker execution role: only the service acts as it (pull the image,
//   write logs, attach to the VPC, use the volume key), as AWS documents.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type { DeployContext } from '../../src/context.js';
import { createHandler } from '../../src/lambda-proxy/handler.js';
import { roleBoundary } from '../../src/resources/iam-boundary.js';
import { lambdaPolicy, sagemakerPolicy } from '../../src/resources/iam-policies.js';
import { vpcIds, vpcOf } from '../../src/resources/vpc.js';
import { ACCOUNT, RELEASE_YAML, REGION, testContext } from '../helpers/aws-context.js';
import { iamRequests, type IamRequest } from '../helpers/iam/iam-requests.js';
import { recordedCalls } from '../helpers/iam/recorded-calls.js';
import { judge } from '../helpers/iam/simulate-policy.js';
import { healthEvent, predictEvent } from '../lambda-proxy/events.js';

const VPC_YAML = `${RELEASE_YAML}vpc: { subnetIds: [subnet-0aaaaaaa, subnet-0bbbbbbb], securityGroupIds: [sg-0ccccccc] }\n`;
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const KMS_VPC_YAML = VPC_YAML.replace(
  '    instanceType: ml.m5.large\n',
  `    instanceType: ml.m5.large\n    kmsKeyId: ${KEY}\n`,
);
const TOPIC = (name: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
// An async dev environment: results announced on two topics and encrypted with a key.
const ASYNC_YAML = RELEASE_YAML.replace(
  '    volumeSizeGb: 10\n',
  `    volumeSizeGb: 10\n    kmsKeyId: ${KEY}\n    async: { outputS3Uri: s3://iris-async/dev, notifications: { successTopic: ${TOPIC('ok')}, errorTopic: ${TOPIC('failed')} } }\n`,
);
const where = { partition: 'aws', region: REGION, accountId: ACCOUNT };

const ec2 = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;

/** What a service does with a role in a VPC: network interfaces in the release's subnets, with its groups. */
function eniRequests(ctx: DeployContext, actions: string[], why: string): IamRequest[] {
  const ids = vpcIds(vpcOf(ctx.release, ctx.envName));
  if (!ids) return [];
  const subnet = ec2(`subnet/${ids.subnetIds[0]}`);
  const eni = ec2('network-interface/eni-0123456789abcdef0');
  const onEni = { 'ec2:Subnet': subnet, 'ec2:Vpc': ec2('vpc/vpc-0eeeeeee') };
  return [
    ...actions
      .filter((a) => !a.includes('Describe'))
      .flatMap((action) => [
        { action, resource: eni, context: onEni, why },
        ...(action === 'ec2:CreateNetworkInterface'
          ? [
              { action, resource: subnet, context: {}, why },
              { action, resource: ec2(`security-group/${ids.securityGroupIds[0]}`), context: {}, why },
            ]
          : []),
      ]),
    ...actions.filter((a) => a.includes('Describe')).map((action) => ({ action, resource: '*', context: {}, why })),
  ];
}

describe('the Lambda proxy role', () => {
  let sagemaker: AwsStub<any, any, any>;
  let runtime: AwsStub<any, any, any>;
  const saved = { ...process.env };
  beforeEach(() => {
    sagemaker = mockClient(SageMakerClient);
    runtime = mockClient(SageMakerRuntimeClient);
    sagemaker.on(DescribeEndpointCommand).resolves({ EndpointName: 'ms-iris-dev', EndpointStatus: 'InService' });
    runtime
      .on(InvokeEndpointCommand)
      .resolves({ Body: Buffer.from('{"predictions":[0]}') as never, ContentType: 'application/json' });
    Object.assign(process.env, {
      AWS_REGION: REGION,
      MS_ENDPOINT_NAME: 'ms-iris-dev',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });
  afterEach(() => {
    sagemaker.restore();
    runtime.restore();
    process.env = { ...saved };
  });

  /** The handler with its own SDK clients, as in the bundle, serving /predict and /health. */
  async function handlerRequests(ctx: DeployContext): Promise<IamRequest[]> {
    const handler = createHandler({ log: () => {} });
    expect((await handler(predictEvent({ instances: [[1, 2]] }))).statusCode).toBe(200);
    expect((await handler(healthEvent())).statusCode).toBe(200);
    const logGroup = ctx.arns.lambdaLogGroup;
    // The Lambda service writes the function's logs as the role, creating the group on the first
    // invocation when it is missing (up does not create log groups).
    const logs = [
      { action: 'logs:CreateLogGroup', resource: logGroup, context: {}, why: 'Lambda service: first invocation' },
      ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
        action,
        resource: `${logGroup}:log-stream:2026/12/03/[$LATEST]0123`,
        context: {},
        why: 'Lambda service: function logs',
      })),
    ];
    // AWSLambdaVPCAccessExecutionRole's actions: the service manages the function's network interfaces.
    const enis = eniRequests(
      ctx,
      [
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
      ],
      'Lambda service: VPC attachment',
    );
    return [...(await iamRequests(recordedCalls([sagemaker, runtime]), where)), ...logs, ...enis];
  }

  it.each([
    ['without a VPC', RELEASE_YAML],
    ['in a VPC', VPC_YAML],
  ])('is allowed every call it makes and nothing more (%s)', async (_what, yaml) => {
    const ctx = testContext({ yaml });
    const requests = await handlerRequests(ctx);
    expect(requests.map((r) => r.action)).toEqual(
      expect.arrayContaining(['sagemaker:InvokeEndpoint', 'sagemaker:DescribeEndpoint']),
    );
    const verdict = await judge({
      principal: ctx.arns.lambdaRole,
      accountId: ACCOUNT,
      policy: lambdaPolicy(ctx),
      boundary: roleBoundary('aws', ACCOUNT),
      requests,
    });
    expect(verdict).toEqual({ denied: [], unused: [] });
  });
});

describe('the SageMaker execution role', () => {
  function serviceRequests(ctx: DeployContext): IamRequest[] {
    const repo = ctx.arns.ecrRepository;
    const group = ctx.arns.endpointLogGroup;
    const pull = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'].map(
      (action) => ({ action, resource: repo, context: {}, why: 'SageMaker: pull the model image' }),
    );
    const stream = `${group}:log-stream:AllTraffic/i-0123456789abcdef0`;
    const requests: IamRequest[] = [
      { action: 'ecr:GetAuthorizationToken', resource: '*', context: {}, why: 'SageMaker: registry login' },
      ...pull,
      { action: 'logs:CreateLogGroup', resource: group, context: {}, why: 'SageMaker: endpoint log group' },
      { action: 'logs:DescribeLogStreams', resource: group, context: {}, why: 'SageMaker: endpoint log streams' },
      ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
        action,
        resource: stream,
        context: {},
        why: 'SageMaker: container logs',
      })),
      // AmazonSageMakerFullAccess's hosting-in-a-VPC actions, as SageMaker documents for the execution role.
      ...eniRequests(
        ctx,
        [
          'ec2:CreateNetworkInterface',
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        'SageMaker: VPC attachment',
      ),
    ];
    const config = ctx.env.async;
    if (config) {
      // What SageMaker does per async request, as the role (AWS: "Asynchronous Inference needs access to
      // your S3 bucket URI and SNS topics"): read the input, write the answer or the error, announce it.
      const object = (prefix: string) => ({
        resource: `arn:aws:s3:::iris-async/dev/${prefix}/req-1.json`,
        // S3 sets the bucket owner's account on every request (the boundary allows only this account's).
        context: { 's3:ResourceAccount': ACCOUNT },
      });
      requests.push(
        { action: 's3:GetObject', ...object('inputs'), why: 'SageMaker: read the request input' },
        { action: 's3:PutObject', ...object('results'), why: 'SageMaker: write the answer' },
        { action: 's3:PutObject', ...object('failures'), why: 'SageMaker: write the error' },
        ...[TOPIC('ok'), TOPIC('failed')].map((resource) => ({
          action: 'sns:Publish',
          resource,
          context: {},
          why: 'SageMaker: announce the outcome',
        })),
        ...['kms:Encrypt', 'kms:GenerateDataKey'].map((action) => ({
          action,
          resource: KEY,
          context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
          why: 'SageMaker: encrypt the answer with the key',
        })),
      );
    }
    const key = ctx.env.kmsKeyId;
    if (key) {
      const via = { 'kms:ViaService': `sagemaker.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT };
      requests.push(
        {
          action: 'kms:CreateGrant',
          resource: key,
          context: { ...via, 'kms:GrantIsForAWSResource': 'true' },
          why: 'SageMaker: grant for the volume',
        },
        ...['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'].map((action) => ({
          action,
          resource: key,
          context: via,
          why: 'SageMaker: volume encryption',
        })),
      );
    }
    return requests;
  }

  it.each([
    ['plain', RELEASE_YAML, 'dev'],
    ['in a VPC with a volume key', KMS_VPC_YAML, 'prod'],
    ['async, with topics and a key', ASYNC_YAML, 'dev'],
  ])('is allowed what SageMaker does with it and nothing more (%s)', async (_what, yaml, env) => {
    const ctx = testContext({ yaml, env });
    const verdict = await judge({
      principal: ctx.arns.sagemakerRole,
      accountId: ACCOUNT,
      policy: sagemakerPolicy(ctx),
      boundary: roleBoundary('aws', ACCOUNT),
      requests: serviceRequests(ctx),
    });
    expect(verdict).toEqual({ denied: [], unused: [] });
  });

  it('publishes to topics encrypted with a customer managed key, with that key and no other', async () => {
    const ctx = testContext({ yaml: ASYNC_YAML, env: 'dev' });
    const topicKey = `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-12ab-34cd-56ef-1234567890ab`;
    // SNS encrypts each message as the publisher (AWS: the publisher needs GenerateDataKey and Decrypt).
    const viaSns = { 'kms:ViaService': `sns.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT };
    const verdict = await judge({
      principal: ctx.arns.sagemakerRole,
      accountId: ACCOUNT,
      policy: sagemakerPolicy(ctx, [topicKey]),
      boundary: roleBoundary('aws', ACCOUNT),
      requests: [
        ...serviceRequests(ctx),
        ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
          action,
          resource: topicKey,
          context: viaSns,
          why: 'SageMaker: publish to the encrypted topic',
        })),
      ],
    });
    expect(verdict).toEqual({ denied: [], unused: [] });
  });
});
