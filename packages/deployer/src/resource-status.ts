// Status through the resource modules: desired (for the names) -> observe (the
// read calls plan makes) -> the module's own `status`. No plan, no apply.
import type { DeployContext } from './context.js';
import type { ResourceModule, StatusReport } from './resources/resource.js';

export type StatusModule<Desired, Observed, Status> = Pick<
  ResourceModule<Desired, Observed, Record<string, string>>,
  'desired' | 'observe'
> &
  StatusReport<Desired, Observed, Status>;

export async function observeStatus<Desired, Observed, Status>(
  ctx: DeployContext,
  module: StatusModule<Desired, Observed, Status>,
  upstream: Record<string, string> = {},
): Promise<Status> {
  const desired = module.statusDesired ? module.statusDesired(ctx, upstream) : module.desired(ctx, upstream);
  return module.status(desired, await module.observe(ctx, desired));
}
