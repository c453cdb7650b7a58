// Resolves the SDK's credential chain once, before a command that only needs AWS
// for part of its work starts: with none, the user gets MS_DEPLOY_AWS_CREDENTIALS
// (what to configure) instead of a list of checks that each failed for that reason.
import { wrapAwsError } from './aws-error.js';
import type { AwsClients } from './clients.js';

export async function requireCredentials(clients: Pick<AwsClients, 'sts'>): Promise<void> {
  const provider = clients.sts.config.credentials;
  try {
    await provider();
  } catch (err) {
    throw wrapAwsError(err, { action: 'resolving credentials', resource: 'the current AWS identity' });
  }
}
