// The shape every AWS resource module shares: observe (read what exists, by
// deterministic name and tags) -> plan (desired vs observed) -> apply (make the
// changes, wait with SDK waiters). AWS itself is the state: no local state file.
import type { DeployContext } from '../context.js';

export type ChangeAction = 'create' | 'update' | 'no-change' | 'delete';

export interface FieldDiff {
  field: string;
  from: unknown;
  to: unknown;
}

export interface PlannedChange {
  /** Resource kind, e.g. "ecr-repository", "sagemaker-endpoint". */
  kind: string;
  /** The deterministic AWS name. */
  name: string;
  action: ChangeAction;
  diffs: FieldDiff[];
  /** Why nothing applies here (e.g. "skip: serverless endpoint (no instances)"); shown beside the line. */
  note?: string;
}

export interface ResourceModule<Desired, Observed, Outputs = Record<string, string>> {
  readonly kind: string;
  /** Desired state from release.yaml + env + outputs of resources applied before it. */
  desired(ctx: DeployContext, upstream: Record<string, string>): Desired;
  /** Read-only AWS calls. Undefined when the resource does not exist. */
  observe(ctx: DeployContext, desired: Desired): Promise<Observed | undefined>;
  /** Pure: no AWS call. */
  plan(desired: Desired, observed: Observed | undefined): PlannedChange;
  /** Mutating calls only when the plan says so; returns outputs for later modules. */
  apply(ctx: DeployContext, change: PlannedChange, desired: Desired, observed: Observed | undefined): Promise<Outputs>;
  /** Removes what `apply` created. */
  destroy?(ctx: DeployContext, desired: Desired): Promise<void>;
}

/**
 * Optional beyond the resource contract: what `model-deploy status` shows for the
 * resource. Pure (no AWS call): it renders what `observe` returned, so status reads
 * AWS the same way plan does. `desired` gives the name when nothing is observed.
 */
export interface StatusReport<Desired, Observed, Status> {
  status(desired: Desired, observed: Observed | undefined): Status;
  /**
   * Which one status looks at, when that is not the one release.yaml would make now: for a
   * content-hashed endpoint config or model, the one the endpoint serves (named in `upstream`
   * by what status observed before it). Absent: `desired`.
   */
  statusDesired?(ctx: DeployContext, upstream: Record<string, string>): Desired;
}

/**
 * Optional beyond the resource contract: outputs that are already known before
 * apply (an existing function's ARN does not change on update), so `plan` can show
 * downstream diffs with real values instead of placeholders. Undefined = not known.
 */
export interface KnownOutputs<Desired, Observed> {
  knownOutputs?(desired: Desired, observed: Observed | undefined): Record<string, string> | undefined;
}
