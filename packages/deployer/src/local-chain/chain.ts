// The whole chain on 127.0.0.1: cognito-local (user pool) -> API Gateway
// stand-in (JWT check) -> the real Lambda handler in process -> the real
// SageMaker Runtime client -> the local runtime server. Plus a control-plane
// stand-in so `verify` and GET /health make the same SDK calls as on AWS.
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { loadProxyConfig, PROXY_ENV } from '../lambda-proxy/config.js';
import { createHandler } from '../lambda-proxy/handler.js';
import { startApiStandIn } from './api-stand-in.js';
import { createLocalUserPool, fetchIdToken, startCognitoLocal, type LocalUserPool } from './cognito-local.js';
import { startControlPlane } from './control-plane.js';
import { createCognitoVerifier } from './jwt-verifier.js';

export interface LocalChainOptions {
  /** Base URL of a running runtime server (it answers /endpoints/:name/invocations). */
  runtimeUrl: string;
  endpointName: string;
  functionName: string;
  /** API Gateway stage = environment name. */
  stage: string;
  poolName: string;
  clientName: string;
  /** JSON, as in MS_FALLBACK_RULES. */
  fallbackRules?: string;
  allowOrigins?: readonly string[];
  /** Handler retry budget; short by default so "endpoint down" answers quickly. */
  retryTotalBudgetMs?: number;
  /** Handler log lines (default: dropped). */
  log?: (entry: Record<string, unknown>) => void;
}

export interface LocalChain {
  /** e.g. http://127.0.0.1:4321/dev — POST <apiUrl>/predict, GET <apiUrl>/health */
  apiUrl: string;
  cognitoUrl: string;
  controlPlaneUrl: string;
  pool: LocalUserPool;
  endpointName: string;
  functionName: string;
  /** Tags the control plane keeps on the endpoint (verify writes there). */
  endpointTags: Map<string, string>;
  /** A fresh ID token for the chain's user. */
  token(): Promise<string>;
  /** The env that points the AWS SDK (and so `verify`) at this chain. */
  awsEnv: Record<string, string>;
  close(): Promise<void>;
}

/** Set in the chain's environment; verify reads it to skip (and say so) the CloudWatch checks. */
export const LOCAL_CHAIN_ENV = 'MODEL_DEPLOY_LOCAL_CHAIN';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function startLocalChain(options: LocalChainOptions): Promise<LocalChain> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
  };
  try {
    const cognito = await startCognitoLocal();
    closers.push(cognito.stop);
    const pool = await createLocalUserPool(cognito.url, { pool: options.poolName, client: options.clientName });
    const control = await startControlPlane({
      endpointName: options.endpointName,
      functionName: options.functionName,
      runtimeUrl: options.runtimeUrl,
    });
    closers.push(control.close);

    const runtime = new SageMakerRuntimeClient({
      endpoint: options.runtimeUrl,
      region: 'local',
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    const sagemaker = new SageMakerClient({
      endpoint: control.url,
      region: 'local',
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    closers.push(async () => {
      runtime.destroy();
      sagemaker.destroy();
    });
    const env: Record<string, string> = {
      [PROXY_ENV.endpointName]: options.endpointName,
      [PROXY_ENV.totalBudgetMs]: String(options.retryTotalBudgetMs ?? 1500),
      [PROXY_ENV.baseDelayMs]: '50',
      [PROXY_ENV.maxDelayMs]: '400',
    };
    if (options.fallbackRules) env[PROXY_ENV.fallbackRules] = options.fallbackRules;
    if (options.allowOrigins?.length) env[PROXY_ENV.corsAllowOrigins] = JSON.stringify(options.allowOrigins);
    const handler = createHandler({
      config: loadProxyConfig(env),
      runtime,
      endpointStatus: async (name) => {
        const out = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
        return { status: out.EndpointStatus ?? 'Unknown', failureReason: out.FailureReason };
      },
      log: options.log ?? (() => {}),
      // Locally the status is read on every /health, so a stopped endpoint shows at once.
      healthCacheMs: 0,
    });
    const api = await startApiStandIn({
      handler,
      verify: createCognitoVerifier({ issuer: pool.issuer, clientId: pool.clientId }),
      stage: options.stage,
    });
    closers.push(api.close);

    return {
      apiUrl: api.url,
      cognitoUrl: cognito.url,
      controlPlaneUrl: control.url,
      pool,
      endpointName: options.endpointName,
      functionName: options.functionName,
      endpointTags: control.tags,
      token: () => fetchIdToken(cognito.url, pool.clientId, pool.username, pool.password),
      awsEnv: {
        AWS_ENDPOINT_URL_SAGEMAKER: control.url,
        AWS_ENDPOINT_URL_LAMBDA: control.url,
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        // No CloudWatch here: verify reports its logs/metrics checks as skip with this reason.
        [LOCAL_CHAIN_ENV]: '1',
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
