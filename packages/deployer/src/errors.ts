// The deployer's one error table. Every error the user can see has a stable
// code, a message template, who is at fault and what to do. The CLI has a
// single top-level catch: `user`/`aws` faults print the message + hint without
// a stack; `bug` says it is a bug. Codes are documented in
// the README's deployer error table (a test checks that each one is).

/** Who has to act: the user (fix input), AWS (retry / quota / permissions), or us (a bug). */
export type Fault = 'user' | 'aws' | 'bug';

export interface ErrorSpec {
  readonly fault: Fault;
  /** `{name}` placeholders are filled from the params. */
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
}

export const ERRORS = {
  // release.yaml: load -> parse -> validate -> rules, one code per step.
  MS_DEPLOY_RELEASE_NOT_FOUND: {
    fault: 'user',
    message: 'release.yaml not found at {path}',
    hint: 'Run the command in the generated project, or pass --dir <project dir>.',
  },
  MS_DEPLOY_RELEASE_READ: {
    fault: 'user',
    message: 'cannot read {path}: {reason}',
    hint: 'Check the file permissions and that it is a regular file.',
  },
  MS_DEPLOY_RELEASE_PARSE: {
    fault: 'user',
    message: '{path} is not valid YAML: {reason}',
    hint: 'Fix the YAML syntax at the line shown (indentation, quotes, tabs).',
  },
  MS_DEPLOY_RELEASE_INVALID: {
    fault: 'user',
    message: '{where}: {yamlPath} {reason}',
    hint: 'Fix the value at that path; the release.yaml reference lists every field, its default and its rule.',
  },
  MS_DEPLOY_RELEASE_AUTOSCALING_BOUNDS: {
    fault: 'user',
    message: '{where}: {yamlPath}: minCapacity ({min}) is greater than maxCapacity ({max})',
    hint: 'Set minCapacity <= maxCapacity.',
  },
  MS_DEPLOY_RELEASE_PROD_CAPACITY: {
    fault: 'user',
    message: '{where}: {yamlPath}: prod with autoscaling needs {field} >= 2 (is {value})',
    hint: 'Production runs at least two instances so one can fail or be replaced without downtime; raise instanceCount and autoscaling.minCapacity to 2 or more.',
  },
  MS_DEPLOY_RELEASE_PROMOTION_ORDER: {
    fault: 'user',
    message: '{where}: {yamlPath}: promotion.order names "{env}", which is not under environments',
    hint: 'List only environments defined under environments:, or add the missing environment.',
  },
  MS_DEPLOY_RELEASE_CACHE_NEEDS_VPC: {
    fault: 'user',
    message:
      '{where}: {yamlPath}: cache kind redis without cache.endpoint provisions an ElastiCache Serverless cache, which lives in a VPC, but environment "{env}" has no vpc',
    hint: 'Add vpc: { subnetIds: [...], securityGroupIds: [...] } (top level or under environments.<env>) with private subnets in two or more availability zones, or set cache.endpoint to an existing rediss:// cache, or use cache kind memory.',
  },
  MS_DEPLOY_RELEASE_WAIT_TOO_SHORT: {
    fault: 'user',
    message:
      'release.yaml promotion.waitMinutes is {value}, below the {floor} minutes the rollback alarms need to fire ({why})',
    hint: 'Set promotion.waitMinutes to {floor} or more, or use strategy: all-at-once if you accept no bake time.',
  },
  MS_DEPLOY_RELEASE_SERVERLESS_CONCURRENCY: {
    fault: 'user',
    message: '{where}: {yamlPath}: provisionedConcurrency ({provisioned}) is greater than maxConcurrency ({max})',
    hint: 'Set serverless.provisionedConcurrency to maxConcurrency or less (SageMaker refuses more), or raise maxConcurrency.',
  },
  MS_DEPLOY_RELEASE_SERVERLESS_VPC: {
    fault: 'user',
    message:
      '{where}: {yamlPath}: environment "{env}" is serverless but gets a vpc{inherited}; SageMaker Serverless Inference does not run in a VPC',
    hint: 'Give the serverless environment no vpc (move the top-level vpc under the environments that run on instances), or run this environment on instances (instanceType instead of serverless).',
  },
  MS_DEPLOY_UNKNOWN_ENV: {
    fault: 'user',
    message: 'environment "{env}" is not defined in release.yaml (defined: {known})',
    hint: 'Use one of the defined environments, or add it under environments: in release.yaml.',
  },
  // AWS calls.
  MS_DEPLOY_AWS_THROTTLED: {
    fault: 'aws',
    message: '{action} on {resource} was throttled by AWS after {attempts} attempts ({reason})',
    hint: 'Wait a minute and run the command again; if it persists, request a higher API rate quota for the service.',
  },
  MS_DEPLOY_AWS_ACCESS_DENIED: {
    fault: 'user',
    message: '{action} on {resource} was denied: {reason}',
    hint: 'Give the deploying identity the permissions listed in the README ("IAM permissions the deployer needs").',
  },
  MS_DEPLOY_AWS_CREDENTIALS: {
    fault: 'user',
    message: 'no usable AWS credentials for {action} on {resource}: {reason}',
    hint: 'Configure credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO or an instance role) and retry.',
  },
  MS_DEPLOY_AWS_NOT_FOUND: {
    fault: 'user',
    message: '{action}: {resource} does not exist: {reason}',
    hint: 'Check the name and region; run `model-deploy status <env>` to see what exists.',
  },
  MS_DEPLOY_AWS_LIMIT: {
    fault: 'aws',
    message: '{action} on {resource} hit an AWS limit: {reason}',
    hint: 'Remove unused resources or request a quota increase in Service Quotas, then retry.',
  },
  MS_DEPLOY_AWS_CONFLICT: {
    fault: 'aws',
    message: '{action} on {resource} conflicts with an operation in progress: {reason}',
    hint: 'Wait for the other operation to finish (`model-deploy status <env>`), then run the command again; it resumes where it stopped.',
  },
  MS_DEPLOY_AWS_VALIDATION: {
    fault: 'user',
    message: '{action} on {resource} was rejected by AWS: {reason}',
    hint: 'Check the related release.yaml values (instance type availability in the region, names, sizes).',
  },
  MS_DEPLOY_AWS_SERVICE: {
    fault: 'aws',
    message: '{action} on {resource} failed on the AWS side after {attempts} attempts: {reason}',
    hint: 'This is usually transient; run the command again. It resumes where it stopped.',
  },
  MS_DEPLOY_AWS_FAILED: {
    fault: 'aws',
    message: '{action} on {resource} failed: {reason}',
    hint: 'Read the AWS reason above; fix it and run the command again (it converges from any partial state).',
  },
  // Resources.
  MS_DEPLOY_ENDPOINT_FAILED: {
    fault: 'aws',
    message: 'SageMaker endpoint {resource} failed: {reason}',
    hint: 'Check the container logs in CloudWatch log group {logGroup}; fix the image or the instance settings and run `model-deploy up` again.',
  },
  MS_DEPLOY_CACHE_NOT_AVAILABLE: {
    fault: 'aws',
    message: 'ElastiCache serverless cache {name} is "{status}", not available (waited {waited}s)',
    hint: 'See the cache in the ElastiCache console (events, subnets in at least two availability zones, quotas); fix the cause, then run up again: it converges on the cache that exists.',
  },
  MS_DEPLOY_CACHE_REPLACEMENT_NEEDED: {
    fault: 'user',
    message: 'ElastiCache serverless cache {name}: {fields} cannot change on an existing cache',
    hint: 'Keep the subnets the cache was created in, or run destroy for this environment and up again to create the cache anew (its entries are only a cache and are rebuilt).',
  },
  MS_DEPLOY_ASYNC_BUCKET_MISSING: {
    fault: 'user',
    message: '{where}: {yamlPath}: the S3 bucket "{bucket}" does not exist',
    hint: 'Create the bucket in this account and region (block public access on, default encryption on), or point async.outputS3Uri at an existing bucket of this account; then run plan again.',
  },
  MS_DEPLOY_ASYNC_BUCKET_FOREIGN: {
    fault: 'user',
    message:
      '{where}: {yamlPath}: the S3 bucket "{bucket}" is not owned by account {account} (or this caller may not read it)',
    hint: 'Use a bucket of the deploying account: the endpoint writes results there as this account and the proxy reads them back. If it is yours, check that the caller may s3:ListBucket on it.',
  },
  MS_DEPLOY_ASYNC_TOPIC_MISSING: {
    fault: 'user',
    message: 'release.yaml {yamlPath}: the SNS topic {topic} does not exist',
    hint: 'Create the topic in the deploying account and region (aws sns create-topic --name <name>), or correct the ARN in async.notifications; then run plan again.',
  },
  MS_DEPLOY_ASYNC_TOPIC_ELSEWHERE: {
    fault: 'user',
    message:
      'release.yaml {yamlPath}: the SNS topic {topic} is in {where}, not in the deploying account {account} and region {region}',
    hint: "Use a topic of the deploying account and region: the endpoint's role publishes to it, and model-deploy grants that role sns:Publish on exactly this topic. Create one there and subscribe your consumers to it.",
  },
  MS_DEPLOY_ASYNC_TOPIC_DENIED: {
    fault: 'user',
    message: 'release.yaml {yamlPath}: this caller may not read the SNS topic {topic} (sns:GetTopicAttributes denied)',
    hint: "Allow the deploying identity sns:GetTopicAttributes on the topic (model-deploy policy prints the statement), and check the topic's access policy does not deny it.",
  },
  MS_DEPLOY_WAIT_TIMEOUT: {
    fault: 'aws',
    message: 'timed out after {seconds}s waiting for {resource} to become {state}',
    hint: 'It may still finish: check `model-deploy status <env>` and rerun `up`, or raise the wait with --max-wait.',
  },
  MS_DEPLOY_IMAGE_REF: {
    fault: 'user',
    message: 'image reference "{image}" is not <repository-uri>@sha256:<digest> or <repository-uri>:<tag>',
    hint: 'Pass --image 123456789012.dkr.ecr.<region>.amazonaws.com/model-service/<name>@sha256:<64 hex> (or :<tag>).',
  },
  MS_DEPLOY_IMAGE_NOT_FOUND: {
    fault: 'user',
    message: 'image {image} is not in ECR repository {repository}',
    hint: 'Push the image first (`model-deploy up <env>` builds and pushes), or pass the digest that CI pushed.',
  },
  MS_DEPLOY_IMAGE_COMMAND: {
    fault: 'user',
    message: '`{command}` failed with exit code {exitCode}',
    hint: 'Read the output above; check that the {builder} CLI is installed and works (`model-deploy doctor`).',
  },
  MS_DEPLOY_GIT_SHA: {
    fault: 'user',
    message: 'cannot read the git short sha in {dir}: {reason}',
    hint: 'Run in a git checkout with at least one commit, or pass --image to deploy an already pushed image.',
  },
  MS_DEPLOY_ROLE_ARN: {
    fault: 'user',
    message: 'release.yaml iam.{field} "{arn}" is not an IAM role ARN',
    hint: 'Use arn:aws:iam::<12-digit account>:role/<name>, or remove it to let model-deploy create the role.',
  },
  // CLI (model-deploy commands).
  MS_DEPLOY_USAGE: {
    fault: 'user',
    message: '{reason}',
    hint: 'Run `model-deploy --help` (or `model-deploy <command> --help`) for the arguments and options.',
  },
  MS_DEPLOY_PROD_GUARD: {
    fault: 'user',
    message: 'refusing to {action} prod without --force-prod',
    hint: 'Production is protected: re-run with --force-prod if you really mean it.',
  },
  MS_DEPLOY_LOCKED: {
    fault: 'user',
    message:
      '{env} is locked by another run: `{command}` by {who} ({identity}, pid {pid} on {host}) since {since}; its lease expires at {expires}',
    hint: 'Nothing was changed. Wait for that run to end (it releases the lock on success, failure and Ctrl-C), then run again, or pass --wait-for-lock <minutes> to wait for it. If it died (killed, lost machine), its lease expires by itself at {expires}; if you are sure it is not running, re-run with --break-lock. The lock is {lock}.',
  },
  MS_DEPLOY_CONFIRM_REQUIRED: {
    fault: 'user',
    message: '{action} {env} needs a confirmation and there is no terminal to ask on',
    hint: 'Pass --yes to confirm non-interactively (CI).',
  },
  MS_DEPLOY_ABORTED: {
    fault: 'user',
    message: '{action} {env} cancelled: the answer was not "{env}"',
    hint: 'Nothing was changed. Run the command again and type the environment name to confirm.',
  },
  MS_DEPLOY_CHECKS_FAILED: {
    fault: 'user',
    message: '{failed} of {total} checks failed: {ids}',
    hint: 'Fix each failing check as its line says, then run `model-deploy doctor` again.',
  },
  MS_DEPLOY_LAMBDA_BUNDLE: {
    fault: 'bug',
    message: 'cannot bundle the Lambda proxy from {entry}: {reason}',
    hint: 'The proxy handler ships with model-deploy; reinstall @model-service/deployer, and report it if it persists.',
  },
  // Release flow (verify, promote, rollback, local).
  MS_DEPLOY_VERIFY_FAILED: {
    fault: 'user',
    message: 'verify {env}: {failed} of {total} checks failed: {ids}',
    hint: 'Fix each failing check as its line says, then run `model-deploy verify {env}` again; promote refuses until it passes.',
  },
  MS_DEPLOY_VERIFY_INPUT: {
    fault: 'user',
    message: 'verify {env} cannot start: {reason}',
    hint: 'Pass --url <api base url> and a token source (--token / MODEL_DEPLOY_TOKEN, or --username with MODEL_DEPLOY_PASSWORD), and --sample <request.json> if the project has no sample request.',
  },
  MS_DEPLOY_PROMOTE_UNVERIFIED: {
    fault: 'user',
    message: 'refusing to promote {from} -> {to}: {reason}',
    hint: 'Run `model-deploy verify {from}` against the running {from} endpoint; promote takes only what passed.',
  },
  MS_DEPLOY_UP_NOT_FIRST: {
    fault: 'user',
    message: '`up {env}` would skip the promotion flow: {env} comes after {first} in promotion.order ({order})',
    hint: 'Run `model-deploy promote {env}`: it deploys the image verified in the environment before {env}, with the canary, the rollback alarms and the verify gate. To deploy {env} directly anyway (an emergency fix), add --force.',
  },
  MS_DEPLOY_PROMOTE_SOURCE: {
    fault: 'user',
    message: 'cannot promote {from} -> {to}: {reason}',
    hint: 'Deploy and verify {from} first (`model-deploy up {from}` then `model-deploy verify {from}`), or pick another source with --from.',
  },
  MS_DEPLOY_ROLLBACK_NO_PREVIOUS: {
    fault: 'user',
    message: 'cannot roll back {endpoint}: {reason}',
    hint: 'There is no earlier endpoint config to go back to; deploy a fixed version with `model-deploy up` or `promote` instead.',
  },
  MS_DEPLOY_LOCAL_CHAIN: {
    fault: 'user',
    message: 'the local chain could not start: {reason}',
    hint: 'Check that the project starts (`npm start`) or pass --runtime-url of a running runtime server; ports are on 127.0.0.1 only.',
  },
  MS_DEPLOY_LOCAL_REDIS_MISSING: {
    fault: 'user',
    message:
      'release.yaml asks for `cache: { kind: redis }` but `{command}` is not installed, so `model-deploy local` cannot start a local cache',
    hint: 'Install it (`apt-get install redis-server` on Debian/Ubuntu, `brew install redis` on macOS), or pass --runtime-url of a runtime you started yourself.',
  },
  MS_DEPLOY_INTERNAL: {
    fault: 'bug',
    message: 'internal error: {reason}',
    hint: 'This is a bug in model-deploy; please report it with the command you ran.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorParams = Record<string, string | number | undefined>;

function fill(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = params[key];
    return value === undefined ? whole : String(value);
  });
}

export class DeployerError extends Error {
  override readonly name = 'DeployerError';
  readonly code: ErrorCode;
  readonly fault: Fault;
  readonly hint: string;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}, options: { cause?: unknown } = {}) {
    const spec: ErrorSpec = ERRORS[code];
    // A release.yaml field's error says where it is; the loader narrows the file to file:line:column.
    const filled = { where: 'release.yaml', ...params };
    super(fill(spec.message, filled), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fault = spec.fault;
    this.hint = fill(spec.hint, params);
    this.params = params;
  }

  /** One paragraph for the terminal: code, what is wrong, what to do. */
  toUserString(): string {
    return `${this.code}: ${this.message}\n  -> ${this.hint}`;
  }
}

export function isDeployerError(err: unknown, code?: ErrorCode): err is DeployerError {
  return err instanceof DeployerError && (code === undefined || err.code === code);
}
