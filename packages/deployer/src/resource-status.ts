// Status through the resource modules: desired (for the names) -> observe (the
// read calls plan makes) -> the module's own `status`. No plan, no apply.
import type { DeployContext } from './context.js';
import type { ResourceModule, StatusReport } from './resources/resource.js';

export async function observeStatus<Desired, Observed, Status>(
  ctx: DeployContext,
  module: ResourceModule<Desired, Observed, Record<string, string>> & StatusReport<Desired, Observed, Status>,
  upstream: Record<string, string> = {},
): Promise<Status> {
  const desired = module.desired(ctx, upstream);
  return module.status(desired, await module.observe(ctx, desired));
}
