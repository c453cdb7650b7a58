// The slice of API Gateway's REST proxy integration event and result the handler
// reads and writes (the full shapes live in @types/aws-lambda, which the bundle
// does not need).
export interface ProxyEvent {
  httpMethod: string;
  path: string;
  resource?: string;
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: {
    requestId?: string;
    stage?: string;
    authorizer?: { claims?: Record<string, unknown> } | null;
    identity?: { sourceIp?: string };
  };
}

export interface ProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}
