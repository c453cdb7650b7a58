// The API as a client sees it: reachable, the authorizer enforced, /health open to
// monitors, a valid token accepted, an invalid body refused, and the golden set
// answered as the trained model did.
import { runGoldenCheck } from './verify-golden.js';
import { probe } from './verify-probe.js';
import { brief, withToken, type VerifyCheck } from './verify-context.js';

/** A top-level string field of a JSON body, or undefined when the body is not such JSON. */
function jsonField(body: string, field: string): string | undefined {
  try {
    const value = (JSON.parse(body) as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export const apiReachableCheck: VerifyCheck = {
  id: 'verify.api.reachable',
  title: 'API answers over HTTPS',
  description: 'POST <api>/predict gets an HTTP answer (any status).',
  async run(ctx) {
    const anonymous = await ctx.anonymous();
    return anonymous.status !== 0
      ? { status: 'pass', message: `${ctx.predictUrl} answered (${brief(anonymous)})` }
      : {
          status: 'fail',
          message: `${ctx.predictUrl}: ${brief(anonymous)}`,
          fix: 'Check the URL (--url) and that the API stage is deployed (`model-deploy status`).',
        };
  },
};

export const noTokenRejectedCheck: VerifyCheck = {
  id: 'verify.auth.no-token-rejected',
  title: 'a request without a token is rejected',
  description: 'a request without a token gets 401/403 (the Cognito authorizer is enforced).',
  async run(ctx) {
    // The same anonymous request as verify.api.reachable.
    const anonymous = await ctx.anonymous();
    return anonymous.status === 401 || anonymous.status === 403
      ? { status: 'pass', message: `without a token: HTTP ${anonymous.status}` }
      : {
          status: 'fail',
          message: `without a token: ${brief(anonymous)} (expected 401/403)`,
          fix: 'POST /predict must use the Cognito authorizer; run `model-deploy up` to restore it.',
        };
  },
};

export const apiHealthCheck: VerifyCheck = {
  id: 'verify.api.health',
  title: 'GET /health answers UP without a token',
  description:
    'GET <api>/health without a token gets 200 with {"status":"UP"} (the route monitors call; it answers from the endpoint status).',
  async run(ctx) {
    // As monitors call it: no token (API Gateway deploys it without an authorizer).
    const health = await probe(ctx.healthUrl, { requestId: ctx.nextId() });
    return health.status === 200 && jsonField(health.body, 'status') === 'UP'
      ? { status: 'pass', message: `GET ${ctx.healthUrl}: HTTP 200, status UP` }
      : {
          status: 'fail',
          message: `GET ${ctx.healthUrl}: ${brief(health)} ${health.body.slice(0, 200)}`,
          fix: 'GET /health answers from the endpoint status without a token: 401/403 means the route has an authorizer, 404 that it is missing (run `model-deploy up`); 503 DOWN names the endpoint status.',
        };
  },
};

export const validTokenAcceptedCheck: VerifyCheck = {
  id: 'verify.auth.valid-token-accepted',
  title: 'a request with a valid token succeeds',
  description: "a Cognito ID token and the project's sample request get HTTP 200 end to end.",
  run: (ctx) =>
    withToken(ctx, async (token) => {
      const valid = await ctx.authorized(token, ctx.target.sampleBody, true);
      return valid.status === 200
        ? { status: 'pass', message: `with a token: ${brief(valid)}` }
        : {
            status: 'fail',
            message: `with a token: ${brief(valid)} ${valid.body.slice(0, 200)}`,
            fix: 'Read the error code in the body; check the endpoint and the Lambda logs.',
          };
    }),
};

export const invalidRejectedCheck: VerifyCheck = {
  id: 'verify.input.invalid-rejected',
  title: 'an invalid body gets a 4xx',
  description: 'an invalid body gets a 4xx, never a 2xx or 5xx.',
  run: (ctx) =>
    withToken(ctx, async (token) => {
      const invalid = await ctx.authorized(token, ctx.target.invalidBody, false);
      return invalid.status >= 400 && invalid.status < 500
        ? { status: 'pass', message: `invalid body: HTTP ${invalid.status}` }
        : {
            status: 'fail',
            message: `invalid body: ${brief(invalid)} (expected 4xx)`,
            fix: 'The model must validate its input (instance schema) and answer 400, never 2xx or 5xx.',
          };
    }),
};

export const goldenCheck: VerifyCheck = {
  id: 'verify.golden',
  title: 'the golden set answers as the trained model did',
  description:
    "every line of tests/golden.jsonl, replayed through the deployed API with a token, gets the trained model's answer (numbers within the line's tolerance); --skip-golden records partial, which promote refuses.",
  // The served model is the trained one (preprocessing included).
  run: (ctx) =>
    withToken(ctx, (token) => runGoldenCheck(ctx.target.golden, (body) => ctx.authorized(token, body, true))),
};
