// Stateful stand-ins for ECR, IAM, Application Auto Scaling, CloudWatch
// alarms and CloudWatch Logs log groups (SageMaker: fake-sagemaker.ts, edge: fake-edge-aws.ts), so a whole
// `up` can run twice, be interrupted and resumed, and be destroyed.
import * as aas from '@aws-sdk/client-application-auto-scaling';
import * as cw from '@aws-sdk/client-cloudwatch';
import * as logs from '@aws-sdk/client-cloudwatch-logs';
import * as ecr from '@aws-sdk/client-ecr';
import * as iam from '@aws-sdk/client-iam';
import { createHash } from 'node:crypto';
import type { AwsClients } from '../../src/aws/clients.js';
import type { CommandRunner } from '../../src/context.js';
import { ACCOUNT, REGION, type Mocks } from './aws-context.js';

const meta = (status: number) => ({ httpStatusCode: status, requestId: 'req-fake', attempts: 1, totalRetryDelay: 0 });
type Handler = (input: any) => unknown;

interface Repo {
  name: string;
  arn: string;
  uri: string;
  scanOnPush: boolean;
  lifecycle?: string;
  tags: Record<string, string>;
  images: Map<string, string>;
}
interface Role {
  name: string;
  arn: string;
  trust: string;
  tags: { Key: string; Value: string }[];
  policies: Map<string, string>;
  boundary?: string;
}

export class FakeCoreAws {
  repos = new Map<string, Repo>();
  roles = new Map<string, Role>();
  targets = new Map<string, { min: number; max: number }>();
  /** Scaling policies by name, as DescribeScalingPolicies returns them (plus the target they belong to). */
  policies = new Map<string, { resourceId: string; PolicyARN: string; PolicyType: string } & Record<string, unknown>>();
  alarms = new Map<string, Record<string, unknown>>();
  /** Log groups by name: retention in days (undefined = never expire) and tags. */
  logGroups = new Map<string, { retentionInDays?: number; tags: Record<string, string> }>();
  /** Customer managed policies by ARN (the role boundary). */
  managedPolicies = new Map<string, string>();

  private repo(name: string): Repo {
    const r = this.repos.get(name);
    if (!r)
      throw new ecr.RepositoryNotFoundException({
        message: `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT}'`,
        $metadata: meta(400),
      });
    return r;
  }

  private role(name: string): Role {
    const r = this.roles.get(name);
    if (!r)
      throw new iam.NoSuchEntityException({
        message: `The role with name ${name} cannot be found.`,
        $metadata: meta(404),
      });
    return r;
  }

  /** What `docker push` does to ECR: the tag now points at a digest. */
  push(repositoryName: string, tag: string): string {
    const digest = `sha256:${createHash('sha256').update(`${repositoryName}:${tag}`).digest('hex')}`;
    this.repo(repositoryName).images.set(tag, digest);
    return digest;
  }

  /** A runner that answers git and the builder like a machine with a daemon would; `push` lands in this fake ECR. */
  runner(sha = 'abc1234'): CommandRunner & { lines: string[] } {
    const lines: string[] = [];
    return {
      lines,
      run: async (command, args) => {
        lines.push([command, ...args].join(' '));
        if (command === 'git') return { exitCode: 0, stdout: `${sha}\n`, stderr: '' };
        const i = args.indexOf('push');
        if (i >= 0) {
          const ref = args[i + 1]!;
          const [, repo, tag] = /^[^/]+\/(.+):([^:]+)$/.exec(ref)!;
          this.push(repo!, tag!);
        }
        return { exitCode: 0, stdout: '', stderr: '' };
      },
    };
  }

  private logGroup(name: string) {
    const g = this.logGroups.get(name);
    if (!g)
      throw new logs.ResourceNotFoundException({
        message: 'The specified log group does not exist.',
        $metadata: meta(400),
      });
    return g;
  }

  private handlers(): Record<
    'ecr' | 'iam' | 'autoScaling' | 'cloudWatch' | 'logs',
    [new (input: any) => unknown, Handler][]
  > {
    return {
      ecr: [
        [
          ecr.DescribeRepositoriesCommand,
          (i) => ({
            repositories: (i.repositoryNames as string[])
              .map((n) => this.repo(n))
              .map((r) => ({
                repositoryName: r.name,
                repositoryArn: r.arn,
                repositoryUri: r.uri,
                imageScanningConfiguration: { scanOnPush: r.scanOnPush },
              })),
          }),
        ],
        [
          ecr.CreateRepositoryCommand,
          (i) => {
            if (this.repos.has(i.repositoryName))
              throw new ecr.RepositoryAlreadyExistsException({
                message: `The repository with name '${i.repositoryName}' already exists`,
                $metadata: meta(400),
              });
            const r: Repo = {
              name: i.repositoryName,
              arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${i.repositoryName}`,
              uri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${i.repositoryName}`,
              scanOnPush: Boolean(i.imageScanningConfiguration?.scanOnPush),
              tags: Object.fromEntries((i.tags ?? []).map((t: any) => [t.Key, t.Value])),
              images: new Map(),
            };
            this.repos.set(r.name, r);
            return { repository: { repositoryName: r.name, repositoryArn: r.arn, repositoryUri: r.uri } };
          },
        ],
        [
          ecr.GetLifecyclePolicyCommand,
          (i) => {
            const r = this.repo(i.repositoryName);
            if (!r.lifecycle)
              throw new ecr.LifecyclePolicyNotFoundException({
                message: 'Lifecycle policy does not exist',
                $metadata: meta(400),
              });
            return { lifecyclePolicyText: r.lifecycle };
          },
        ],
        [
          ecr.PutLifecyclePolicyCommand,
          (i) => {
            this.repo(i.repositoryName).lifecycle = i.lifecyclePolicyText;
            return {};
          },
        ],
        [
          ecr.PutImageScanningConfigurationCommand,
          (i) => {
            this.repo(i.repositoryName).scanOnPush = i.imageScanningConfiguration.scanOnPush;
            return {};
          },
        ],
        [
          ecr.ListTagsForResourceCommand,
          (i) => ({
            tags: Object.entries([...this.repos.values()].find((r) => r.arn === i.resourceArn)!.tags).map(
              ([Key, Value]) => ({ Key, Value }),
            ),
          }),
        ],
        [
          ecr.TagResourceCommand,
          (i) => {
            Object.assign(
              [...this.repos.values()].find((r) => r.arn === i.resourceArn)!.tags,
              Object.fromEntries(i.tags.map((t: any) => [t.Key, t.Value])),
            );
            return {};
          },
        ],
        [
          ecr.DescribeImagesCommand,
          (i) => {
            const r = this.repo(i.repositoryName);
            const id = i.imageIds[0];
            const digest = id.imageTag
              ? r.images.get(id.imageTag)
              : [...r.images.values()].find((d) => d === id.imageDigest);
            if (!digest)
              throw new ecr.ImageNotFoundException({
                message: `The image with imageId {${id.imageTag ? `imageTag:'${id.imageTag}'` : `imageDigest:'${id.imageDigest}'`}} does not exist within the repository with name '${r.name}'`,
                $metadata: meta(400),
              });
            return {
              imageDetails: [
                {
                  imageDigest: digest,
                  imageTags: [...r.images.entries()].filter(([, d]) => d === digest).map(([t]) => t),
                },
              ],
            };
          },
        ],
        [
          ecr.GetAuthorizationTokenCommand,
          () => ({
            authorizationData: [
              {
                authorizationToken: Buffer.from('AWS:fake-registry-password').toString('base64'),
                proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
              },
            ],
          }),
        ],
      ],
      iam: [
        [
          iam.GetRoleCommand,
          (i) => {
            const r = this.role(i.RoleName);
            const boundary = r.boundary
              ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: r.boundary } }
              : {};
            return {
              Role: {
                RoleName: r.name,
                Arn: r.arn,
                AssumeRolePolicyDocument: encodeURIComponent(r.trust),
                Tags: r.tags.map((t) => ({ ...t })),
                ...boundary,
              },
            };
          },
        ],
        [
          iam.CreateRoleCommand,
          (i) => {
            if (this.roles.has(i.RoleName))
              throw new iam.EntityAlreadyExistsException({
                message: `Role with name ${i.RoleName} already exists.`,
                $metadata: meta(409),
              });
            if (i.PermissionsBoundary && !this.managedPolicies.has(i.PermissionsBoundary))
              throw new iam.NoSuchEntityException({
                message: `Policy ${i.PermissionsBoundary} does not exist or is not attachable.`,
                $metadata: meta(404),
              });
            const r: Role = {
              name: i.RoleName,
              arn: `arn:aws:iam::${ACCOUNT}:role/${i.RoleName}`,
              trust: i.AssumeRolePolicyDocument,
              tags: [...(i.Tags ?? [])],
              policies: new Map(),
              boundary: i.PermissionsBoundary,
            };
            this.roles.set(r.name, r);
            return { Role: { RoleName: r.name, Arn: r.arn } };
          },
        ],
        [
          iam.GetRolePolicyCommand,
          (i) => {
            const doc = this.role(i.RoleName).policies.get(i.PolicyName);
            if (!doc)
              throw new iam.NoSuchEntityException({
                message: `The role policy with name ${i.PolicyName} cannot be found.`,
                $metadata: meta(404),
              });
            return { RoleName: i.RoleName, PolicyName: i.PolicyName, PolicyDocument: encodeURIComponent(doc) };
          },
        ],
        [
          iam.GetPolicyCommand,
          (i) => {
            if (!this.managedPolicies.has(i.PolicyArn))
              throw new iam.NoSuchEntityException({
                message: `Policy ${i.PolicyArn} was not found.`,
                $metadata: meta(404),
              });
            return { Policy: { Arn: i.PolicyArn, PolicyName: i.PolicyArn.split('/').pop() } };
          },
        ],
        [
          iam.CreatePolicyCommand,
          (i) => {
            const arn = `arn:aws:iam::${ACCOUNT}:policy/${i.PolicyName}`;
            if (this.managedPolicies.has(arn))
              throw new iam.EntityAlreadyExistsException({
                message: `A policy called ${i.PolicyName} already exists.`,
                $metadata: meta(409),
              });
            this.managedPolicies.set(arn, i.PolicyDocument);
            return { Policy: { Arn: arn, PolicyName: i.PolicyName } };
          },
        ],
        [
          iam.PutRolePermissionsBoundaryCommand,
          (i) => {
            this.role(i.RoleName).boundary = i.PermissionsBoundary;
            return {};
          },
        ],
        [
          iam.PutRolePolicyCommand,
          (i) => {
            this.role(i.RoleName).policies.set(i.PolicyName, i.PolicyDocument);
            return {};
          },
        ],
        [
          iam.UpdateAssumeRolePolicyCommand,
          (i) => {
            this.role(i.RoleName).trust = i.PolicyDocument;
            return {};
          },
        ],
        [
          iam.TagRoleCommand,
          (i) => {
            this.role(i.RoleName).tags = [...i.Tags];
            return {};
          },
        ],
        [
          iam.DeleteRolePolicyCommand,
          (i) => {
            if (!this.role(i.RoleName).policies.delete(i.PolicyName))
              throw new iam.NoSuchEntityException({ message: 'not found', $metadata: meta(404) });
            return {};
          },
        ],
        [
          iam.DeleteRoleCommand,
          (i) => {
            this.role(i.RoleName);
            this.roles.delete(i.RoleName);
            return {};
          },
        ],
      ],
      autoScaling: [
        [
          aas.DescribeScalableTargetsCommand,
          (i) => ({
            ScalableTargets: (i.ResourceIds as string[])
              .filter((id) => this.targets.has(id))
              .map((id) => ({
                ResourceId: id,
                MinCapacity: this.targets.get(id)!.min,
                MaxCapacity: this.targets.get(id)!.max,
              })),
          }),
        ],
        [
          aas.RegisterScalableTargetCommand,
          (i) => {
            this.targets.set(i.ResourceId, { min: i.MinCapacity, max: i.MaxCapacity });
            return {};
          },
        ],
        [
          aas.DescribeScalingPoliciesCommand,
          (i) => ({
            ScalingPolicies: (i.PolicyNames as string[])
              .filter((n) => this.policies.get(n)?.resourceId === i.ResourceId)
              .map((n) => {
                const { resourceId: _id, ...policy } = this.policies.get(n)!;
                return { PolicyName: n, ResourceId: i.ResourceId, ...policy };
              }),
          }),
        ],
        [
          aas.PutScalingPolicyCommand,
          (i) => {
            // As AWS: a policy needs its scalable target; updating one keeps its ARN.
            if (!this.targets.has(i.ResourceId))
              throw new aas.ObjectNotFoundException({
                message: `No scalable target registered for service namespace: sagemaker, resource ID: ${i.ResourceId}, scalable dimension: ${i.ScalableDimension}`,
                $metadata: meta(400),
              });
            const PolicyARN =
              this.policies.get(i.PolicyName)?.PolicyARN ??
              `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:${createHash('sha256').update(i.PolicyName).digest('hex').slice(0, 8)}-0000-4000-8000-000000000000:resource/sagemaker/${i.ResourceId}:policyName/${i.PolicyName}`;
            this.policies.set(i.PolicyName, {
              resourceId: i.ResourceId,
              PolicyARN,
              PolicyType: i.PolicyType,
              ...(i.TargetTrackingScalingPolicyConfiguration
                ? { TargetTrackingScalingPolicyConfiguration: i.TargetTrackingScalingPolicyConfiguration }
                : {}),
              ...(i.StepScalingPolicyConfiguration
                ? { StepScalingPolicyConfiguration: i.StepScalingPolicyConfiguration }
                : {}),
            });
            return { PolicyARN };
          },
        ],
        [
          aas.DeleteScalingPolicyCommand,
          (i) => {
            if (!this.policies.delete(i.PolicyName))
              throw new aas.ObjectNotFoundException({
                message: `No scaling policy found for service namespace: sagemaker, resource ID: ${i.ResourceId}`,
                $metadata: meta(400),
              });
            return {};
          },
        ],
        [
          aas.DeregisterScalableTargetCommand,
          (i) => {
            if (!this.targets.delete(i.ResourceId))
              throw new aas.ObjectNotFoundException({
                message: `No scalable target registered for service namespace: sagemaker, resource ID: ${i.ResourceId}`,
                $metadata: meta(400),
              });
            // As AWS: deregistering a target deletes its scaling policies.
            for (const [name, p] of this.policies) if (p.resourceId === i.ResourceId) this.policies.delete(name);
            return {};
          },
        ],
      ],
      cloudWatch: [
        [
          cw.DescribeAlarmsCommand,
          (i) => ({
            MetricAlarms: (i.AlarmNames as string[])
              .filter((n) => this.alarms.has(n))
              .map((n) => ({ ...this.alarms.get(n) })),
          }),
        ],
        [
          cw.PutMetricAlarmCommand,
          (i) => {
            const { Tags: _tags, ...alarm } = i;
            this.alarms.set(i.AlarmName, alarm);
            return {};
          },
        ],
        [
          cw.DeleteAlarmsCommand,
          (i) => {
            for (const n of i.AlarmNames) this.alarms.delete(n);
            return {};
          },
        ],
      ],
      logs: [
        [
          logs.DescribeLogGroupsCommand,
          (i) => ({
            logGroups: [...this.logGroups.entries()]
              .filter(([name]) => name.startsWith(i.logGroupNamePrefix ?? ''))
              .slice(0, i.limit ?? 50)
              .map(([logGroupName, g]) => ({
                logGroupName,
                arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroupName}:*`,
                ...(g.retentionInDays === undefined ? {} : { retentionInDays: g.retentionInDays }),
              })),
          }),
        ],
        [
          logs.CreateLogGroupCommand,
          (i) => {
            if (this.logGroups.has(i.logGroupName))
              throw new logs.ResourceAlreadyExistsException({
                message: 'The specified log group already exists',
                $metadata: meta(400),
              });
            this.logGroups.set(i.logGroupName, { tags: { ...i.tags } });
            return {};
          },
        ],
        [
          logs.PutRetentionPolicyCommand,
          (i) => {
            this.logGroup(i.logGroupName).retentionInDays = i.retentionInDays;
            return {};
          },
        ],
        [
          logs.DeleteLogGroupCommand,
          (i) => {
            this.logGroup(i.logGroupName);
            this.logGroups.delete(i.logGroupName);
            return {};
          },
        ],
      ],
    };
  }

  install(mocks: Mocks): this {
    for (const [service, list] of Object.entries(this.handlers()) as [
      keyof ReturnType<FakeCoreAws['handlers']>,
      [new (input: any) => unknown, Handler][],
    ][]) {
      for (const [Cmd, handler] of list)
        mocks[service].on(Cmd as never).callsFake(async (input: unknown) => handler(input));
    }
    return this;
  }

  snapshot(): unknown {
    return {
      repos: [...this.repos.values()].map((r) => ({
        name: r.name,
        scanOnPush: r.scanOnPush,
        lifecycle: r.lifecycle,
        tags: r.tags,
        images: [...r.images.keys()],
      })),
      roles: [...this.roles.values()].map((r) => ({
        name: r.name,
        trust: r.trust,
        policies: [...r.policies.entries()],
      })),
      targets: [...this.targets.entries()],
      policies: [...this.policies.entries()],
      alarms: [...this.alarms.keys()].sort(),
      logGroups: [...this.logGroups.entries()].sort(),
    };
  }
}

const READ = /^(Describe|List|Get)\w*Command$/;

/**
 * Simulates the process dying at the k-th mutating call of a run, across every
 * client (and the lazily loaded ones given, e.g. Secrets Manager's): the call throws before it
 * reaches AWS. Returns a function that disarms it.
 */
export function crashAtMutation(clients: AwsClients, k: number, lazy: readonly object[] = []): () => void {
  let count = 0;
  let armed = true;
  const originals: [object, unknown][] = [];
  for (const client of [...Object.values(clients), ...lazy] as { send: (...args: unknown[]) => unknown }[]) {
    const send = client.send;
    originals.push([client, send]);
    Object.defineProperty(client, 'send', {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        const name = (args[0] as object).constructor.name;
        if (armed && !READ.test(name)) {
          count += 1;
          if (count === k) return Promise.reject(new Error(`simulated crash at mutating call ${k} (${name})`));
        }
        return send.apply(client, args);
      },
    });
  }
  return () => {
    armed = false;
  };
}
