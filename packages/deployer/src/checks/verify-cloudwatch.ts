// The telemetry checks (verify-telemetry.ts) as verify checks: they look for the
// traffic verify sent, so without a token (no traffic) they skip.
import { TELEMETRY_CHECKS } from './verify-telemetry.js';
import { withToken, type VerifyCheck } from './verify-context.js';

const noTraffic = { status: 'skip', message: 'verify sent no authenticated traffic to look for (no token)' } as const;

export const CLOUDWATCH_CHECKS: readonly VerifyCheck[] = TELEMETRY_CHECKS.map((check) => ({
  id: check.id,
  title: check.title,
  description: check.description,
  run: (ctx) => withToken(ctx, () => ctx.telemetry(check), noTraffic),
}));
