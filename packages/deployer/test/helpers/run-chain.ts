// Runs resource modules in order the way `up` does (desired -> observe -> plan
// -> apply, outputs flowing downstream), or only up to plan for `plan`.
import type { DeployContext } from '../../src/context.js';
import type { PlannedChange, ResourceModule } from '../../src/resources/resource.js';

type AnyModule = ResourceModule<any, any, Record<string, string>>;

export async function runChain(ctx: DeployContext, modules: AnyModule[], upstream: Record<string, string> = {}) {
  const plans: PlannedChange[] = [];
  let outputs = { ...upstream };
  for (const m of modules) {
    const desired = m.desired(ctx, outputs);
    const observed = await m.observe(ctx, desired);
    const plan = m.plan(desired, observed);
    plans.push(plan);
    outputs = { ...outputs, ...(await m.apply(ctx, plan, desired, observed)) };
  }
  return { plans, outputs };
}

export async function planChain(ctx: DeployContext, modules: AnyModule[], upstream: Record<string, string> = {}) {
  const plans: PlannedChange[] = [];
  for (const m of modules) {
    const desired = m.desired(ctx, upstream);
    plans.push(m.plan(desired, await m.observe(ctx, desired)));
  }
  return plans;
}
