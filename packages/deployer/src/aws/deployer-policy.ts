// The IAM policy the identity running model-deploy needs, as data: the one list
// of actions that the README's "IAM permissions the deployer itself needs"
// shows (a test compares the two) and that `doctor.iam` simulates. Every
// statement names its actions; "*" as a resource only where AWS offers no
// resource-level permission. `<account-id>` is filled in by the reader.
import { lockBucketName, lockKey } from '../deploy-lock.js';
import type { ResourceArns, ResourceNames } from '../naming.js';
import { ENV_ORDER, type ReleaseConfig } from '../release/types.js';
import { BOUNDARY_POLICY_NAME } from '../resources/iam-boundary.js';
import { MANAGED_BY, TAG_MANAGED_BY } from '../tags.js';
import { endpointKmsKeyId } from '../resources/sagemaker-endpoint-config.js';
import { vpcOf } from '../resources/vpc.js';
import { provisionsCache } from '../resources/cache-names.js';
import { asyncPaths } from '../resources/async-paths.js';

export interface PolicyCondition {
  readonly [operator: string]: Readonly<Record<string, string | readonly string[]>>;
}

export interface DeployerStatement {
  readonly Sid: string;
  /** Allow unless said otherwise. */
  readonly Effect?: 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: PolicyCondition;
}

/** What `up`, `status`, `destroy`, `promote` and `rollback` call, their deploy lock included (the README policy). */
export const DEPLOYER_STATEMENTS: readonly DeployerStatement[] = [
  {
    Sid: 'EcrLogin',
    Action: ['ecr:GetAuthorizationToken'],
    Resource: ['*'],
  },
  {
    Sid: 'EcrRepository',
    Action: [
      'ecr:CreateRepository',
      'ecr:DescribeRepositories',
      'ecr:DescribeImages',
      'ecr:GetLifecyclePolicy',
      'ecr:PutLifecyclePolicy',
      'ecr:PutImageScanningConfiguration',
      'ecr:ListTagsForResource',
      'ecr:TagResource',
      'ecr:BatchCheckLayerAvailability',
      'ecr:InitiateLayerUpload',
      'ecr:UploadLayerPart',
      'ecr:CompleteLayerUpload',
      'ecr:PutImage',
      'ecr:BatchGetImage',
    ],
    Resource: ['arn:aws:ecr:*:<account-id>:repository/model-service/*'],
  },
  {
    // Roles only with the model-service boundary attached: a role made here can never do more than it allows.
    Sid: 'CreateRolesWithBoundary',
    Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
    Resource: ['arn:aws:iam::<account-id>:role/ms-*-sagemaker', 'arn:aws:iam::<account-id>:role/ms-*-lambda'],
    Condition: {
      StringEquals: { 'iam:PermissionsBoundary': `arn:aws:iam::<account-id>:policy/${BOUNDARY_POLICY_NAME}` },
    },
  },
  {
    Sid: 'Roles',
    Action: [
      'iam:GetRole',
      'iam:TagRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:DeleteRole',
      'iam:PutRolePolicy',
      'iam:GetRolePolicy',
      'iam:DeleteRolePolicy',
    ],
    Resource: ['arn:aws:iam::<account-id>:role/ms-*-sagemaker', 'arn:aws:iam::<account-id>:role/ms-*-lambda'],
  },
  {
    // Created once if missing; never rewritten (no CreatePolicyVersion): the deployer cannot widen it.
    Sid: 'RoleBoundaryPolicy',
    Action: ['iam:GetPolicy', 'iam:CreatePolicy'],
    Resource: [`arn:aws:iam::<account-id>:policy/${BOUNDARY_POLICY_NAME}`],
  },
  {
    // Even if another policy of the identity allowed it: the boundary stays on, and stays as written.
    Sid: 'KeepRoleBoundary',
    Effect: 'Deny',
    Action: [
      'iam:DeleteRolePermissionsBoundary',
      'iam:CreatePolicyVersion',
      'iam:DeletePolicy',
      'iam:DeletePolicyVersion',
      'iam:SetDefaultPolicyVersion',
    ],
    Resource: ['arn:aws:iam::<account-id>:role/ms-*', `arn:aws:iam::<account-id>:policy/${BOUNDARY_POLICY_NAME}`],
  },
  {
    Sid: 'PassRolesToTheirServices',
    Action: ['iam:PassRole'],
    Resource: ['arn:aws:iam::<account-id>:role/ms-*-sagemaker', 'arn:aws:iam::<account-id>:role/ms-*-lambda'],
    Condition: { StringEquals: { 'iam:PassedToService': ['sagemaker.amazonaws.com', 'lambda.amazonaws.com'] } },
  },
  {
    Sid: 'AutoScalingServiceLinkedRole',
    Action: ['iam:CreateServiceLinkedRole'],
    Resource: [
      'arn:aws:iam::<account-id>:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
    ],
    Condition: { StringEquals: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } },
  },
  {
    Sid: 'SageMakerHosting',
    Action: [
      'sagemaker:CreateModel',
      'sagemaker:DescribeModel',
      'sagemaker:DeleteModel',
      'sagemaker:CreateEndpointConfig',
      'sagemaker:DescribeEndpointConfig',
      'sagemaker:DeleteEndpointConfig',
      'sagemaker:CreateEndpoint',
      'sagemaker:UpdateEndpoint',
      'sagemaker:DescribeEndpoint',
      'sagemaker:DeleteEndpoint',
      'sagemaker:AddTags',
      'sagemaker:ListTags',
    ],
    Resource: [
      'arn:aws:sagemaker:*:<account-id>:model/ms-*',
      'arn:aws:sagemaker:*:<account-id>:endpoint-config/ms-*',
      'arn:aws:sagemaker:*:<account-id>:endpoint/ms-*',
    ],
  },
  {
    Sid: 'SageMakerListing',
    Action: ['sagemaker:ListModels', 'sagemaker:ListEndpointConfigs'],
    Resource: ['*'],
  },
  {
    Sid: 'AutoScaling',
    Action: [
      'application-autoscaling:RegisterScalableTarget',
      'application-autoscaling:DeregisterScalableTarget',
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:PutScalingPolicy',
      'application-autoscaling:DescribeScalingPolicies',
      'application-autoscaling:DeleteScalingPolicy',
      'application-autoscaling:TagResource',
    ],
    Resource: ['*'],
  },
  {
    Sid: 'Alarms',
    Action: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource'],
    Resource: ['arn:aws:cloudwatch:*:<account-id>:alarm:ms-*'],
  },
  {
    Sid: 'Dashboards',
    Action: ['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard', 'cloudwatch:DeleteDashboards'],
    Resource: ['arn:aws:cloudwatch::<account-id>:dashboard/ms-*'],
  },
  {
    Sid: 'BudgetAlert',
    Action: ['budgets:ViewBudget', 'budgets:ModifyBudget', 'budgets:ListTagsForResource', 'budgets:TagResource'],
    Resource: ['arn:aws:budgets::<account-id>:budget/ms-*'],
  },
  // No resource-level permissions exist for these reads (IAM takes only "*"): status lists the
  // alarms, verify reads the metrics and lists the service's 4xx codes.
  {
    Sid: 'AlarmListingAndMetrics',
    Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'],
    Resource: ['*'],
  },
  {
    Sid: 'LambdaProxy',
    Action: [
      'lambda:CreateFunction',
      'lambda:GetFunction',
      'lambda:GetFunctionConfiguration',
      'lambda:UpdateFunctionCode',
      'lambda:UpdateFunctionConfiguration',
      'lambda:DeleteFunction',
      'lambda:AddPermission',
      'lambda:GetPolicy',
      'lambda:TagResource',
      // release.yaml api.reservedConcurrency, put and released.
      'lambda:PutFunctionConcurrency',
      'lambda:DeleteFunctionConcurrency',
    ],
    Resource: ['arn:aws:lambda:*:<account-id>:function:ms-*'],
  },
  {
    // Whether the account can write access logs (its CloudWatch Logs role); read only: the
    // account settings are shared by every API of the region.
    Sid: 'ApiGatewayAccountRead',
    Action: ['apigateway:GET'],
    Resource: ['arn:aws:apigateway:*::/account'],
  },
  {
    Sid: 'ApiGateway',
    Action: ['apigateway:GET', 'apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE'],
    Resource: [
      'arn:aws:apigateway:*::/restapis',
      'arn:aws:apigateway:*::/restapis/*',
      'arn:aws:apigateway:*::/apikeys',
      'arn:aws:apigateway:*::/apikeys/*',
      'arn:aws:apigateway:*::/usageplans',
      'arn:aws:apigateway:*::/usageplans/*',
      'arn:aws:apigateway:*::/tags/*',
    ],
  },
  {
    // CreateUserPool has no resource-level permission: only with the managed-by tag on the new pool.
    Sid: 'CognitoCreateUserPool',
    Action: ['cognito-idp:CreateUserPool'],
    Resource: ['*'],
    Condition: { StringEquals: { [`aws:RequestTag/${TAG_MANAGED_BY}`]: MANAGED_BY } },
  },
  {
    // Only pools model-deploy created (tagged managed-by); no Admin* user actions (those are for cognito-local only).
    Sid: 'CognitoUserPools',
    Action: [
      'cognito-idp:DescribeUserPool',
      'cognito-idp:UpdateUserPool',
      'cognito-idp:DeleteUserPool',
      'cognito-idp:CreateUserPoolClient',
      'cognito-idp:DescribeUserPoolClient',
      'cognito-idp:UpdateUserPoolClient',
      'cognito-idp:ListUserPoolClients',
      'cognito-idp:TagResource',
      // CI's verify client: the API's resource server, the hosted domain of /oauth2/token, the client itself.
      'cognito-idp:CreateResourceServer',
      'cognito-idp:DescribeResourceServer',
      'cognito-idp:DeleteResourceServer',
      'cognito-idp:CreateUserPoolDomain',
      'cognito-idp:DeleteUserPoolDomain',
      'cognito-idp:DeleteUserPoolClient',
    ],
    Resource: ['arn:aws:cognito-idp:*:<account-id>:userpool/*'],
    Condition: { StringEquals: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: MANAGED_BY } },
  },
  {
    // verify's CloudWatch checks and the failure diagnosis read the endpoint's and the proxy's logs.
    Sid: 'ReadOwnLogs',
    Action: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents'],
    Resource: [
      'arn:aws:logs:*:<account-id>:log-group:/aws/sagemaker/Endpoints/ms-*',
      'arn:aws:logs:*:<account-id>:log-group:/aws/sagemaker/Endpoints/ms-*:log-stream:*',
      'arn:aws:logs:*:<account-id>:log-group:/aws/lambda/ms-*',
      'arn:aws:logs:*:<account-id>:log-group:/aws/lambda/ms-*:log-stream:*',
    ],
  },
  {
    // up creates the three log groups with their retention before anything writes to them; destroy deletes them.
    Sid: 'OwnLogGroups',
    Action: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteLogGroup'],
    Resource: [
      'arn:aws:logs:*:<account-id>:log-group:/aws/sagemaker/Endpoints/ms-*',
      'arn:aws:logs:*:<account-id>:log-group:/aws/lambda/ms-*',
      'arn:aws:logs:*:<account-id>:log-group:/aws/apigateway/ms-*',
    ],
  },
  {
    // The deploy lock (one run per environment): its bucket, one per account and region, made on first use.
    Sid: 'DeployLockBucket',
    Action: ['s3:CreateBucket'],
    Resource: ['arn:aws:s3:::ms-deploy-locks-<account-id>-*'],
  },
  {
    // Its leases, one object per environment, taken, renewed and released with conditional writes.
    Sid: 'DeployLockLeases',
    Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
    Resource: ['arn:aws:s3:::ms-deploy-locks-<account-id>-*/ms-*'],
  },
  {
    // Neither has a resource-level permission (a domain is found by name before its pool is known).
    Sid: 'CognitoListing',
    Action: ['cognito-idp:ListUserPools', 'cognito-idp:DescribeUserPoolDomain'],
    Resource: ['*'],
  },
  {
    // The verify client's id and secret: up creates it tagged, re-stores it when the client is replaced, destroy deletes it.
    // `verify-client*`, not `-??????`: a secret not created yet is named without its random suffix.
    Sid: 'VerifyClientSecretCreate',
    Action: ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
    Resource: ['arn:aws:secretsmanager:*:<account-id>:secret:ms-*/verify-client*'],
    Condition: { StringEquals: { [`aws:RequestTag/${TAG_MANAGED_BY}`]: MANAGED_BY } },
  },
  {
    // GetSecretValue: verify reads it to get a token (the only principal meant to: see docs/operations.md).
    Sid: 'VerifyClientSecret',
    Action: [
      'secretsmanager:DescribeSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetSecretValue',
    ],
    Resource: ['arn:aws:secretsmanager:*:<account-id>:secret:ms-*/verify-client*'],
  },
  {
    // DescribeLogGroups has no resource-level permission (it lists names and retention only).
    Sid: 'LogGroupListing',
    Action: ['logs:DescribeLogGroups'],
    Resource: ['*'],
  },
];

/** Only with a `vpc` in release.yaml: Lambda checks that the caller may read the subnets and groups it attaches. */
export const VPC_DEPLOY_STATEMENTS: readonly DeployerStatement[] = [
  {
    Sid: 'VpcAttach',
    Action: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'],
    Resource: ['*'],
  },
];

/**
 * Only with a provisioned redis cache (cache kind redis, no endpoint): the ElastiCache Serverless
 * cache, its IAM user and user group (ids ms-*), and its security group, which EC2 names by id
 * only, so the group's calls are narrowed by the tag the deployer puts on what it manages.
 */
export const CACHE_DEPLOY_STATEMENTS: readonly DeployerStatement[] = [
  {
    Sid: 'CacheTier',
    Action: [
      'elasticache:CreateServerlessCache',
      'elasticache:ModifyServerlessCache',
      'elasticache:DeleteServerlessCache',
      'elasticache:DescribeServerlessCaches',
      'elasticache:CreateUser',
      'elasticache:ModifyUser',
      'elasticache:DeleteUser',
      'elasticache:DescribeUsers',
      'elasticache:CreateUserGroup',
      'elasticache:ModifyUserGroup',
      'elasticache:DeleteUserGroup',
      'elasticache:DescribeUserGroups',
      'elasticache:AddTagsToResource',
    ],
    Resource: [
      'arn:aws:elasticache:*:<account-id>:serverlesscache:ms-*',
      'arn:aws:elasticache:*:<account-id>:user:ms-*',
      'arn:aws:elasticache:*:<account-id>:usergroup:ms-*',
    ],
  },
  {
    // The first cache of the account creates ElastiCache's service-linked role (its network interfaces).
    Sid: 'CacheServiceLinkedRole',
    Action: ['iam:CreateServiceLinkedRole'],
    Resource: [
      'arn:aws:iam::<account-id>:role/aws-service-role/elasticache.amazonaws.com/AWSServiceRoleForElastiCache',
    ],
    Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticache.amazonaws.com' } },
  },
  {
    // Only a group tagged as ours at creation; the VPC it is created in is named by the release's subnets.
    Sid: 'CacheSecurityGroupCreate',
    Action: ['ec2:CreateSecurityGroup', 'ec2:CreateTags'],
    Resource: ['arn:aws:ec2:*:<account-id>:security-group/*'],
    Condition: { StringEquals: { [`aws:RequestTag/${TAG_MANAGED_BY}`]: MANAGED_BY } },
  },
  {
    Sid: 'CacheSecurityGroupInVpc',
    Action: ['ec2:CreateSecurityGroup'],
    Resource: ['arn:aws:ec2:*:<account-id>:vpc/*'],
  },
  {
    Sid: 'CacheSecurityGroupRules',
    Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
    Resource: ['arn:aws:ec2:*:<account-id>:security-group/*'],
    Condition: { StringEquals: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: MANAGED_BY } },
  },
];

/**
 * Only with a `kmsKeyId` in release.yaml: CreateEndpointConfig / CreateEndpoint
 * with a customer managed key need the caller to describe the key and create a
 * grant on it for SageMaker. Keys of this account; an alias resolves to its key.
 */
export const KMS_DEPLOY_STATEMENTS: readonly DeployerStatement[] = [
  {
    Sid: 'KmsEndpointVolumeKey',
    Action: ['kms:CreateGrant', 'kms:DescribeKey'],
    Resource: ['arn:aws:kms:*:<account-id>:key/*'],
  },
];

/** What `doctor`'s AWS checks read (VPC, capacity, IAM simulation); read-only. */
export const DOCTOR_STATEMENTS: readonly DeployerStatement[] = [
  {
    Sid: 'DoctorNetworkReads',
    Action: [
      'ec2:DescribeSubnets',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeVpcEndpoints',
    ],
    Resource: ['*'],
  },
  {
    Sid: 'DoctorQuotaListing',
    Action: ['servicequotas:ListServiceQuotas', 'servicequotas:ListAWSDefaultServiceQuotas'],
    Resource: ['*'],
  },
  {
    Sid: 'DoctorQuotaReads',
    Action: ['servicequotas:GetServiceQuota'],
    Resource: ['arn:aws:servicequotas:*:<account-id>:sagemaker/*'],
  },
  {
    Sid: 'DoctorPolicySimulation',
    Action: ['iam:SimulatePrincipalPolicy', 'iam:GetRole'],
    Resource: ['arn:aws:iam::<account-id>:role/*', 'arn:aws:iam::<account-id>:user/*'],
  },
];

export interface PolicyDocumentJson {
  Version: '2012-10-17';
  Statement: {
    Sid: string;
    Effect: 'Allow' | 'Deny';
    Action: string[];
    Resource: string | string[];
    Condition?: PolicyCondition;
  }[];
}

/** The README's JSON shape (a single resource is written as a string). */
export function policyDocument(statements: readonly DeployerStatement[]): PolicyDocumentJson {
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      Sid: s.Sid,
      Effect: s.Effect ?? ('Allow' as const),
      Action: [...s.Action],
      Resource: s.Resource.length === 1 ? s.Resource[0]! : [...s.Resource],
      ...(s.Condition ? { Condition: s.Condition } : {}),
    })),
  };
}

export interface SimulationScope {
  partition: string;
  region: string;
  accountId: string;
  names: ResourceNames;
  arns: ResourceArns;
  /** Role ARNs release.yaml gives (iam.*RoleArn): model-deploy passes those instead of its own. */
  givenRoles?: { sagemakerRoleArn?: string; lambdaRoleArn?: string };
}

const SAMPLE_ID = '0000000000';

/** A statement's resource templates as concrete ARNs for one environment (what the calls will name). */
export function simulatedResources(statement: DeployerStatement, scope: SimulationScope): string[] {
  const { arns, names } = scope;
  switch (statement.Sid) {
    case 'EcrRepository':
      return [arns.ecrRepository];
    case 'Roles':
    case 'CreateRolesWithBoundary':
      return [arns.sagemakerRole, arns.lambdaRole];
    case 'PassRolesToTheirServices':
      return [
        scope.givenRoles?.sagemakerRoleArn ?? arns.sagemakerRole,
        scope.givenRoles?.lambdaRoleArn ?? arns.lambdaRole,
      ];
    case 'SageMakerHosting':
      return [arns.models.replace(/\*$/, '00000000'), arns.endpointConfigs.replace(/\*$/, '00000000'), arns.endpoint];
    case 'LambdaProxy':
      return [arns.lambda];
    case 'DeployLockBucket':
      return [`arn:${scope.partition}:s3:::${lockBucketName(scope)}`];
    case 'DeployLockLeases':
      return [`arn:${scope.partition}:s3:::${lockBucketName(scope)}/${lockKey(names)}`];
    case 'Alarms':
      return [`arn:${scope.partition}:cloudwatch:${scope.region}:${scope.accountId}:alarm:${names.errorRateAlarm}`];
    default:
      return statement.Resource.map((r) =>
        r === '*'
          ? '*'
          : r
              .replace(/^arn:aws:/, `arn:${scope.partition}:`)
              .replace('<account-id>', scope.accountId)
              .replace(/^(arn:[^:]+:[^:]+:)\*:/, `$1${scope.region}:`)
              .replace(/\*$/, SAMPLE_ID),
      );
  }
}

/** Context keys the statement's conditions test, with the value the deployer's calls carry. */
export function simulatedContext(
  statement: DeployerStatement,
  accountId = '<account-id>',
): { ContextKeyName: string; ContextKeyValues: string[]; ContextKeyType: 'string' }[] {
  const equals = statement.Condition?.StringEquals ?? {};
  return Object.entries(equals).map(([key, value]) => ({
    ContextKeyName: key,
    ContextKeyValues: [(typeof value === 'string' ? value : value[0]!).replaceAll('<account-id>', accountId)],
    ContextKeyType: 'string' as const,
  }));
}

/** SageMaker ARN kind an action acts on (model, endpoint-config or endpoint; tags and invoke: the endpoint). */
function sagemakerKind(action: string): 'model' | 'endpoint-config' | 'endpoint' {
  if (/EndpointConfig/.test(action)) return 'endpoint-config';
  if (/Model$/.test(action)) return 'model';
  return 'endpoint';
}

/**
 * The statement's actions grouped by the resources each one really acts on, so a
 * simulation asks "CreateModel on the model ARN", not on every ARN of the statement.
 */
export function simulationGroups(
  statement: DeployerStatement,
  actions: readonly string[],
  resources: readonly string[],
): { actions: string[]; resources: string[] }[] {
  if (statement.Sid !== 'SageMakerHosting') return [{ actions: [...actions], resources: [...resources] }];
  const byKind = new Map<string, string[]>();
  for (const a of actions) byKind.set(sagemakerKind(a), [...(byKind.get(sagemakerKind(a)) ?? []), a]);
  return [...byKind].map(([kind, group]) => ({
    actions: group,
    resources: resources.filter((r) => r.includes(`:${kind}/`)),
  }));
}

/**
 * Only with an async environment: plan checks that its S3 bucket exists and is this account's
 * (HeadBucket, which S3 authorizes as s3:ListBucket on the bucket), and that its SNS topics exist
 * (GetTopicAttributes on exactly those topics). Nothing in them is read, written or published.
 */
export function asyncDeployStatements(release: ReleaseConfig): DeployerStatement[] {
  const configs = ENV_ORDER.flatMap((e) => {
    const config = release.environments[e]?.async;
    return config ? [config] : [];
  });
  const buckets = [...new Set(configs.map((c) => asyncPaths(c).bucket))];
  const topics = [
    ...new Set(
      configs.flatMap((c) =>
        [c.notifications?.successTopic, c.notifications?.errorTopic].filter((t): t is string => t !== undefined),
      ),
    ),
  ];
  return [
    ...(buckets.length
      ? [{ Sid: 'AsyncBucketCheck', Action: ['s3:ListBucket'], Resource: buckets.map((b) => `arn:aws:s3:::${b}`) }]
      : []),
    ...(topics.length ? [{ Sid: 'AsyncTopicCheck', Action: ['sns:GetTopicAttributes'], Resource: topics }] : []),
  ];
}

export interface DeployerPolicyScope {
  partition: string;
  accountId: string;
  release: ReleaseConfig;
}

/** The statements this release needs (VPC and KMS ones only when release.yaml asks for them). */
export function deployerStatements(release: ReleaseConfig): DeployerStatement[] {
  const envs = ENV_ORDER.filter((e) => release.environments[e]);
  return [
    ...DEPLOYER_STATEMENTS,
    ...(envs.some((e) => vpcOf(release, e)) ? VPC_DEPLOY_STATEMENTS : []),
    ...(provisionsCache({ release }) ? CACHE_DEPLOY_STATEMENTS : []),
    ...asyncDeployStatements(release),
    ...(envs.some((e) => endpointKmsKeyId(release, e, release.environments[e]!.instanceType))
      ? KMS_DEPLOY_STATEMENTS
      : []),
    ...DOCTOR_STATEMENTS,
  ];
}

function concrete(text: string, scope: DeployerPolicyScope): string {
  return text.replace(/^arn:aws:/, `arn:${scope.partition}:`).replaceAll('<account-id>', scope.accountId);
}

/** What `model-deploy policy` prints: the deployer identity's policy for this account and release. */
export function deployerPolicy(scope: DeployerPolicyScope): { deployer: PolicyDocumentJson } {
  const statements = deployerStatements(scope.release).map((s) => ({
    ...s,
    Resource: s.Resource.map((r) => concrete(r, scope)),
    ...(s.Condition
      ? {
          Condition: JSON.parse(
            JSON.stringify(s.Condition)
              .replaceAll('<account-id>', scope.accountId)
              .replaceAll('arn:aws:', `arn:${scope.partition}:`),
          ) as PolicyCondition,
        }
      : {}),
  }));
  return { deployer: policyDocument(statements) };
}
