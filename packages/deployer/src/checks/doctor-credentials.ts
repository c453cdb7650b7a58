// doctor.credentials: the AWS credential chain resolves to an identity, asked once
// with no retry (doctor answers in seconds; the AWS-backed checks skip without it).
import { destroyAwsClients } from '../aws/clients.js';
import { wrapAwsError } from '../aws/aws-error.js';
import { resolveAccount } from '../context.js';
import { fail, pass, type Check } from './check.js';

export const credentialsCheck: Check = {
  id: 'doctor.credentials',
  title: 'AWS credentials resolve',
  description: 'the AWS credential chain resolves to an identity (STS GetCallerIdentity) and names its account.',
  async run(ctx) {
    const region = ctx.release?.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const clients = ctx.createClients({
      region,
      env: ctx.env,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      maxAttempts: 1,
    });
    try {
      const { accountId, partition } = await resolveAccount(clients);
      return pass(`account ${accountId} (${partition})`);
    } catch (err) {
      const wrapped = wrapAwsError(err, { action: 'GetCallerIdentity', resource: 'the current AWS identity' });
      return fail(`${wrapped.code}: ${wrapped.message}`, wrapped.hint);
    } finally {
      destroyAwsClients(clients);
    }
  },
};
