// OpenAPI 3.1 document built from the same schemas the validators compile, so the docs
// can never drift from what the service accepts.
import { ERRORS } from './errors.js';
import type { ModelDefinition } from './types.js';
import type { EnvelopeSchemas } from './validation.js';

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: {
          type: 'string',
          enum: Object.entries(ERRORS as Record<string, { status?: number }>)
            .filter(([, e]) => e.status !== undefined)
            .map(([c]) => c),
        },
        message: { type: 'string' },
        path: { type: 'string', description: 'JSON Pointer to the offending field' },
        requestId: { type: 'string' },
      },
    },
  },
};

const HEALTH_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: { status: { enum: ['UP', 'DOWN'] }, state: { enum: ['starting', 'ready', 'unhealthy', 'stopping'] } },
};

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

function stripSchemaKeyword(schema: Record<string, unknown>): Record<string, unknown> {
  // $schema inside a component is noise for OpenAPI tooling; 3.1 already means 2020-12.
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

export function buildOpenApi(
  model: ModelDefinition,
  schemas: EnvelopeSchemas,
  maxInstances: number,
  /** The version the service reports (the model file's sha256 when it is checked). */
  version = model.version,
): Record<string, unknown> {
  const csv = model.fromCsvRow !== undefined;
  const requestContent: Record<string, unknown> = {
    'application/json': {
      schema: { $ref: '#/components/schemas/InvocationRequest' },
      ...(model.warmup && model.warmup.length > 0 ? { example: { instances: model.warmup.slice(0, 2) } } : {}),
    },
  };
  if (csv) requestContent['text/csv'] = { schema: { type: 'string', description: 'one instance per line, no header' } };
  const invocation = {
    summary: `Predict with ${model.name} ${version}`,
    description:
      `Send 1 to ${maxInstances} instances; get one prediction per instance, in order. ` +
      'Answers flagged "source": "fallback" came from the fallback rules, not the model.',
    requestBody: { required: true, content: requestContent },
    responses: {
      200: {
        description: 'One prediction per instance',
        headers: {
          'X-Cache': { schema: { enum: ['HIT', 'MISS'] }, description: 'present when the cache is on' },
          'X-Amzn-SageMaker-Custom-Attributes': {
            schema: { enum: ['cache=hit', 'cache=miss'] },
            description: 'the same, as SageMaker passes it to InvokeEndpoint callers',
          },
        },
        content: { 'application/json': { schema: { $ref: '#/components/schemas/InvocationResponse' } } },
      },
      400: errorResponse('Malformed JSON/CSV or an instance that fails the schema'),
      413: errorResponse('Body larger than the limit'),
      415: errorResponse('Unsupported Content-Type'),
      422: errorResponse('The model produced an answer that fails its prediction schema (withheld)'),
      500: errorResponse('The model threw'),
      503: errorResponse('Not ready, model unavailable, or overloaded (see Retry-After)'),
      504: errorResponse('The model did not answer in time'),
    },
  };
  const health = (summary: string) => ({
    get: {
      summary,
      responses: {
        200: { description: 'UP', content: { 'application/json': { schema: HEALTH_SCHEMA } } },
        503: { description: 'DOWN', content: { 'application/json': { schema: HEALTH_SCHEMA } } },
      },
    },
  });
  return {
    openapi: '3.1.0',
    info: { title: model.name, version, description: `Prediction API for model ${model.name}.` },
    paths: {
      '/invocations': { post: { operationId: 'invoke', ...invocation } },
      '/endpoints/{name}/invocations': {
        post: {
          operationId: 'invokeEndpoint',
          ...invocation,
          summary: 'SageMaker Runtime InvokeEndpoint wire path (same as /invocations)',
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        },
      },
      '/ping': health('SageMaker health check: UP once the model is loaded and warm'),
      '/health/live': health('Liveness: the process answers'),
      '/health/ready': health('Readiness: model ready and every readiness check passing'),
      '/metrics': {
        get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text exposition format' } } },
      },
    },
    components: {
      schemas: {
        Instance: stripSchemaKeyword(model.instanceSchema),
        Prediction: stripSchemaKeyword(model.predictionSchema),
        InvocationRequest: {
          ...schemas.request,
          properties: {
            instances: {
              type: 'array',
              minItems: 1,
              maxItems: maxInstances,
              items: { $ref: '#/components/schemas/Instance' },
            },
          },
        },
        InvocationResponse: {
          ...schemas.response,
          properties: {
            predictions: { type: 'array', items: { $ref: '#/components/schemas/Prediction' } },
            source: { enum: ['model', 'fallback'], description: 'present (and "fallback") only on fallback answers' },
          },
        },
        Error: ERROR_SCHEMA,
      },
    },
  };
}
