// The few SageMaker and Lambda control-plane calls `verify` and the handler's
// GET /health make, answered on 127.0.0.1 from the local runtime's /ping, so
// the same code runs against the local chain as against AWS (point the SDK at
// it with AWS_ENDPOINT_URL_SAGEMAKER / AWS_ENDPOINT_URL_LAMBDA).
//   SageMaker (JSON 1.1, X-Amz-Target): DescribeEndpoint, ListTags, AddTags
//   Lambda (REST JSON): GetFunction, GetFunctionConfiguration
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface ControlPlaneOptions {
  endpointName: string;
  functionName: string;
  /** The runtime server; its GET /ping decides InService or Failed. */
  runtimeUrl: string;
  region?: string;
  account?: string;
}

export interface ControlPlane {
  url: string;
  /** Tags put on the endpoint (verify records its result there). */
  tags: Map<string, string>;
  server: Server;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, body: unknown, type: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(text)),
    'x-amzn-RequestId': 'local',
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const region = options.region ?? 'local';
  const account = options.account ?? '000000000000';
  const endpointArn = `arn:aws:sagemaker:${region}:${account}:endpoint/${options.endpointName}`;
  const functionArn = `arn:aws:lambda:${region}:${account}:function:${options.functionName}`;
  const tags = new Map<string, string>();
  const started = Date.now() / 1000;
  const json11 = 'application/x-amz-json-1.1';

  async function pingOk(): Promise<boolean> {
    const res = await fetch(`${options.runtimeUrl}/ping`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return res?.status === 200;
  }

  async function sagemaker(target: string, input: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const notFound = () =>
      reply(
        res,
        400,
        {
          __type: 'ValidationException',
          message: `Could not find endpoint "${String(input.EndpointName ?? input.ResourceArn)}".`,
        },
        json11,
      );
    if (target === 'DescribeEndpoint') {
      if (input.EndpointName !== options.endpointName) return notFound();
      const up = await pingOk();
      return reply(
        res,
        200,
        {
          EndpointName: options.endpointName,
          EndpointArn: endpointArn,
          EndpointConfigName: `${options.endpointName}-local`,
          EndpointStatus: up ? 'InService' : 'Failed',
          FailureReason: up
            ? undefined
            : `The local runtime at ${options.runtimeUrl} did not answer GET /ping with 200.`,
          CreationTime: started,
          LastModifiedTime: started,
        },
        json11,
      );
    }
    if (target === 'ListTags') {
      if (input.ResourceArn !== endpointArn) return notFound();
      return reply(res, 200, { Tags: [...tags].map(([Key, Value]) => ({ Key, Value })) }, json11);
    }
    if (target === 'AddTags') {
      if (input.ResourceArn !== endpointArn) return notFound();
      for (const tag of (input.Tags as { Key: string; Value: string }[]) ?? []) tags.set(tag.Key, tag.Value);
      return reply(res, 200, { Tags: input.Tags }, json11);
    }
    return reply(
      res,
      400,
      {
        __type: 'UnknownOperationException',
        message: `the local control plane does not implement SageMaker.${target}`,
      },
      json11,
    );
  }

  function lambda(path: string, res: ServerResponse): void {
    const match = /^\/2015-03-31\/functions\/([^/]+)(\/configuration)?\/?$/.exec(path);
    const name = match ? decodeURIComponent(match[1]!) : undefined;
    if (!match || (name !== options.functionName && name !== functionArn)) {
      return reply(res, 404, { Type: 'User', message: `Function not found: ${functionArn}` }, 'application/json');
    }
    const configuration = {
      FunctionName: options.functionName,
      FunctionArn: functionArn,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      State: 'Active',
      LastUpdateStatus: 'Successful',
    };
    return reply(res, 200, match[2] ? configuration : { Configuration: configuration, Tags: {} }, 'application/json');
  }

  const server = createServer((req, res) => {
    const target = req.headers['x-amz-target'];
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const work =
      typeof target === 'string' && target.startsWith('SageMaker.')
        ? readJson(req).then((input) => sagemaker(target.slice('SageMaker.'.length), input, res))
        : Promise.resolve(req.resume()).then(() => lambda(path, res));
    work.catch((err: unknown) => {
      if (!res.headersSent) reply(res, 500, { __type: 'InternalFailure', message: String(err) }, json11);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    tags,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
