// How `verify` gets a token with no human secret: it reads the verify client's id and secret that
// `up` stored in Secrets Manager (under the caller's own AWS credentials, e.g. CI's deploy role) and
// exchanges them at the user pool's /oauth2/token endpoint (client_credentials grant) for an access
// token. Neither the secret nor the token is ever in argv, a log line or an error message.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isNotFound } from '../aws/aws-error.js';
import type { VerifyClientSecret } from '../resources/cognito-machine-client.js';

export interface ClientTokenOptions {
  secrets: SecretsManagerClient;
  secretName: string;
  env: string;
  /** Tests: a fetch that is not the global one. */
  fetch?: typeof globalThis.fetch;
}

/** Why no token: said without the secret's value. */
export class ClientTokenError extends Error {}

function parseSecret(text: string | undefined, name: string): VerifyClientSecret {
  let value: Partial<VerifyClientSecret> = {};
  try {
    value = JSON.parse(text ?? '') as Partial<VerifyClientSecret>;
  } catch {
    // reported below without echoing the text
  }
  const { clientId, clientSecret, tokenUrl, scope } = value;
  if (!clientId || !clientSecret || !tokenUrl || !scope)
    throw new ClientTokenError(
      `secret ${name} does not hold clientId, clientSecret, tokenUrl and scope; run \`model-deploy up\` to store it again`,
    );
  return { clientId, clientSecret, tokenUrl, scope };
}

export async function clientCredentialsToken(options: ClientTokenOptions): Promise<string> {
  const { secretName, env } = options;
  const got = await options.secrets.send(new GetSecretValueCommand({ SecretId: secretName })).catch((err: unknown) => {
    if (isNotFound(err))
      throw new ClientTokenError(
        `no verify client secret ${secretName}: \`model-deploy up ${env}\` creates it; or pass --token / --username`,
      );
    throw err;
  });
  const client = parseSecret(got.SecretString, secretName);
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
  const res = await (options.fetch ?? globalThis.fetch)(client.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: client.scope }).toString(),
  }).catch((err: Error) => {
    throw new ClientTokenError(`cannot reach ${client.tokenUrl}: ${err.message}`);
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!res.ok || !body.access_token)
    throw new ClientTokenError(
      `${client.tokenUrl} answered ${res.status}${body.error ? ` (${body.error})` : ''} for client ${client.clientId}`,
    );
  return body.access_token;
}
