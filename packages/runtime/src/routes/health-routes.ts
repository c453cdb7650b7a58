// GET /ping (SageMaker), /health/live and /health/ready, all read from the one Health state.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Health } from '../health.js';
import { sendJson, type RequestContext, type Tracker } from '../request-context.js';

export type ProbeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RequestContext,
  fast: boolean,
) => number | Promise<number>;

/** `served`: the model's name and the version the service reports (its file's sha256 when checked). */
export function createHealthRoutes(tracker: Tracker, health: Health, served: { name: string; version: string }) {
  // The UP body never changes: serialize it once.
  const up = JSON.stringify({ status: 'UP', model: served.name, version: served.version });

  const ping: ProbeHandler = (_req, res, ctx, fast) => {
    if (health.state === 'ready') {
      sendJson(tracker, res, ctx, 200, up, fast);
      return 200;
    }
    const body: Record<string, string> = { status: 'DOWN', state: health.state };
    if (health.reason !== undefined) body.reason = health.reason;
    sendJson(tracker, res, ctx, 503, JSON.stringify(body), fast);
    return 503;
  };

  // Live = the process answers; it stays UP while unhealthy so an orchestrator does not
  // restart a container that is serving fallback answers or reporting why it failed.
  const live: ProbeHandler = (_req, res, ctx, fast) => {
    sendJson(tracker, res, ctx, 200, JSON.stringify({ status: 'UP', state: health.state }), fast);
    return 200;
  };

  const ready: ProbeHandler = async (_req, res, ctx, fast) => {
    const report = await health.readiness();
    const status = report.status === 'UP' ? 200 : 503;
    sendJson(tracker, res, ctx, status, JSON.stringify(report), fast);
    return status;
  };

  return { ping, live, ready };
}
