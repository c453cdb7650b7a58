// The frame every AWS-backed doctor check shares: clients in release.yaml's
// region with a short retry (doctor answers in seconds, not minutes), the
// caller identity resolved once per doctor run, and AWS errors turned into a
// FAIL with the deployer code and what to do. Without credentials the checks
// SKIP, naming doctor.credentials (which FAILs with the fix), instead of each
// waiting on the credential chain.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  createLazyAwsClient,
  destroyAwsClients,
  type AwsClients,
  type LazyAwsClients,
  type LazyServiceKey,
} from '../aws/clients.js';
import { wrapAwsError } from '../aws/aws-error.js';
import type { ReleaseConfig } from '../release/types.js';
import { fail, skip, type CheckContext, type CheckResult } from './check.js';

export interface CallerIdentity {
  accountId: string;
  arn: string;
  partition: string;
}

export interface AwsCheckScope {
  clients: AwsClients;
  /** EC2 / Service Quotas, loaded on first use (large SDK packages only doctor needs). */
  lazy<K extends LazyServiceKey>(service: K): Promise<LazyAwsClients[K]>;
  release: ReleaseConfig;
  identity: CallerIdentity;
}

const DOCTOR_RETRY = { attempts: 2, baseDelayMs: 200, maxDelayMs: 1000 };

// One identity lookup per doctor run (the context object is per run).
const identities = new WeakMap<CheckContext, Promise<CallerIdentity>>();

function callerIdentity(ctx: CheckContext, clients: AwsClients): Promise<CallerIdentity> {
  let found = identities.get(ctx);
  if (!found) {
    found = clients.sts.send(new GetCallerIdentityCommand({})).then((who) => ({
      accountId: who.Account ?? '',
      arn: who.Arn ?? '',
      partition: who.Arn?.split(':')[1] ?? 'aws',
    }));
    identities.set(ctx, found);
  }
  return found;
}

/** `action` names the AWS call for the error message when `body` throws an AWS error. */
export async function withAws(
  ctx: CheckContext,
  action: string,
  body: (scope: AwsCheckScope) => Promise<CheckResult>,
): Promise<CheckResult> {
  const release = ctx.release;
  if (!release) return skip('release.yaml is not valid (see doctor.release)');
  const options = { region: release.region, env: ctx.env, maxAttempts: 2, retry: DOCTOR_RETRY };
  const clients = ctx.createClients(options);
  const loaded: { destroy(): void }[] = [];
  const lazy = async <K extends LazyServiceKey>(service: K): Promise<LazyAwsClients[K]> => {
    const client = await createLazyAwsClient(service, options);
    loaded.push(client);
    return client;
  };
  try {
    let identity: CallerIdentity;
    try {
      identity = await callerIdentity(ctx, clients);
    } catch (err) {
      const wrapped = wrapAwsError(err, { action: 'GetCallerIdentity', resource: 'the current AWS identity' });
      return skip(`cannot run without an AWS identity (${wrapped.code}; see doctor.credentials)`);
    }
    return await body({ clients, lazy, release, identity });
  } catch (err) {
    const wrapped = wrapAwsError(err, { action, resource: `region ${release.region}` });
    return fail(`${wrapped.code}: ${wrapped.message}`, wrapped.hint);
  } finally {
    destroyAwsClients(clients);
    for (const client of loaded) client.destroy();
  }
}
