// cognito-local (npm) as the user pool of the local chain: started as a child
// process on 127.0.0.1 in its own temp dir (it keeps `.cognito/` in its cwd),
// with the token issuer set to the loopback URL; then a pool, an app client and
// a user are made with the real Cognito SDK client.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { freePort, waitUntil } from './free-port.js';

export interface CognitoLocal {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface LocalUserPool {
  /** Token issuer, e.g. http://127.0.0.1:9229/local_abc123 */
  issuer: string;
  poolId: string;
  clientId: string;
  username: string;
  password: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function cognitoClient(url: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: url,
    region: 'local',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 2,
  });
}

function startScript(): string {
  return createRequire(import.meta.url).resolve('cognito-local/lib/bin/start.js');
}

export async function startCognitoLocal(
  options: { port?: number; readyTimeoutMs?: number } = {},
): Promise<CognitoLocal> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const dir = await mkdtemp(join(tmpdir(), 'ms-cognito-'));
  await mkdir(join(dir, '.cognito'), { recursive: true });
  await writeFile(join(dir, '.cognito', 'config.json'), JSON.stringify({ TokenConfig: { IssuerDomain: url } }));
  const child: ChildProcess = spawn(process.execPath, [startScript()], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_OPTIONS: '', DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  async function stop(): Promise<void> {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  }

  const timeoutMs = options.readyTimeoutMs ?? 30000;
  const ready = await waitUntil(
    async () => {
      if (exited) return true;
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
      return res !== undefined;
    },
    Math.ceil(timeoutMs / 100),
    100,
  );
  if (!ready || exited) {
    await stop();
    throw new Error(
      `cognito-local did not start on ${url} within ${timeoutMs} ms: ${output.trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  return { url, pid: child.pid, stop };
}

/** A pool, an app client allowing USER_PASSWORD_AUTH, and one confirmed user. */
export async function createLocalUserPool(
  url: string,
  names: { pool: string; client: string; username?: string },
): Promise<LocalUserPool> {
  const client = cognitoClient(url);
  try {
    const pool = await client.send(new CreateUserPoolCommand({ PoolName: names.pool }));
    const poolId = pool.UserPool!.Id!;
    const app = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: names.client,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    // cognito-local wants emails as usernames by default.
    const username = names.username ?? 'tester@example.com';
    // Made fresh per run and only valid against this throwaway local pool.
    const password = `Local-${randomBytes(9).toString('base64url')}1!`;
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: password,
      }),
    );
    await client.send(
      new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }),
    );
    return { issuer: `${url}/${poolId}`, poolId, clientId: app.UserPoolClient!.ClientId!, username, password };
  } finally {
    client.destroy();
  }
}

/** USER_PASSWORD_AUTH -> the ID token (what API Gateway's Cognito authorizer takes). */
export async function fetchIdToken(
  url: string | undefined,
  clientId: string,
  username: string,
  password: string,
  region = 'local',
): Promise<string> {
  const client = url ? cognitoClient(url) : new CognitoIdentityProviderClient({ region });
  try {
    const out = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const token = out.AuthenticationResult?.IdToken;
    if (!token)
      throw new Error(`InitiateAuth for ${username} returned no IdToken (challenge: ${out.ChallengeName ?? 'none'})`);
    return token;
  } finally {
    client.destroy();
  }
}
