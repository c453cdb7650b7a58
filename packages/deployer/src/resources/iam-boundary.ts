// The permissions boundary on every role model-deploy creates: the most any of
// them may ever do, whatever inline policy they get. The deployer identity may
// create ms-*-sagemaker / ms-*-lambda roles only with this boundary attached and
// may neither remove it nor change the boundary policy, so it cannot make itself
// a role with more rights than these.
import type { Statement } from './policy-statement.js';

export const BOUNDARY_POLICY_NAME = 'model-service-role-boundary';

export function boundaryArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:policy/${BOUNDARY_POLICY_NAME}`;
}

export interface BoundaryDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

/** Region-wide patterns: one boundary serves every environment and region of the account. */
export function roleBoundary(partition: string, accountId: string): BoundaryDocument {
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:*:${accountId}:${resource}`;
  const logGroups = ['/aws/sagemaker/Endpoints/ms-*', '/aws/lambda/ms-*'].flatMap((g) => [
    arn('logs', `log-group:${g}`),
    arn('logs', `log-group:${g}:*`),
  ]);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ModelEndpoints',
        Effect: 'Allow',
        Action: ['sagemaker:InvokeEndpoint', 'sagemaker:DescribeEndpoint'],
        Resource: [arn('sagemaker', 'endpoint/ms-*')],
      },
      {
        Sid: 'ModelImages',
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: [arn('ecr', 'repository/model-service/*')],
      },
      // No resource-level permission exists for the registry login.
      { Sid: 'RegistryLogin', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
      {
        Sid: 'OwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: logGroups,
      },
      {
        // The services' VPC attachment; the role's own policy narrows it to the release's subnets.
        Sid: 'VpcAttachment',
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        Resource: ['*'],
      },
      {
        Sid: 'VolumeKeysViaSageMaker',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        Resource: [arn('kms', 'key/*')],
        Condition: { StringLike: { 'kms:ViaService': 'sagemaker.*.amazonaws.com' } },
      },
      {
        // Async requests and data capture: objects in this account's buckets only; each role's
        // own policy narrows it to the release's prefixes.
        Sid: 'OwnAccountObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: [`arn:${partition}:s3:::*/*`],
        Condition: { StringEquals: { 's3:ResourceAccount': accountId } },
      },
      {
        // Async results and captured records encrypted with the release's key (by S3 or SageMaker),
        // and async notifications on a topic encrypted with a customer managed key (by SNS).
        Sid: 'ObjectKeys',
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [arn('kms', 'key/*')],
        Condition: {
          StringLike: { 'kms:ViaService': ['s3.*.amazonaws.com', 'sagemaker.*.amazonaws.com', 'sns.*.amazonaws.com'] },
        },
      },
      { Sid: 'OwnAccountTopics', Effect: 'Allow', Action: ['sns:Publish'], Resource: [arn('sns', '*')] },
    ],
  };
}
