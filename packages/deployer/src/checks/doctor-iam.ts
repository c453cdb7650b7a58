// doctor.iam: can the identity running model-deploy make the calls `up` will
// make? IAM policy simulation (SimulatePrincipalPolicy) of the deployer policy's
// actions (src/aws/deployer-policy.ts, what `model-deploy policy` prints) on this
// project's resource ARNs; denied actions are listed by name.
import { GetRoleCommand, paginateSimulatePrincipalPolicy, type EvaluationResult } from '@aws-sdk/client-iam';
import { hasErrorName } from '../aws/aws-error.js';
import { collect } from '../aws/pages.js';
import type { AwsClients } from '../aws/clients.js';
import {
  DEPLOYER_STATEMENTS,
  KMS_DEPLOY_STATEMENTS,
  simulatedContext,
  simulatedResources,
  simulationGroups,
  VPC_DEPLOY_STATEMENTS,
  type DeployerStatement,
} from '../aws/deployer-policy.js';
import { resourceArns, resourceNames } from '../naming.js';
import { ENV_ORDER } from '../release/types.js';
import { endpointKmsKeyId } from '../resources/sagemaker-endpoint-config.js';
import { vpcOf } from '../resources/vpc.js';
import { withAws, type CallerIdentity } from './aws-check.js';
import { fail, pass, skip, type Check } from './check.js';

const MAX_LISTED = 12;
// Always allowed: AWS does not let a policy deny GetCallerIdentity.
const NOT_SIMULATED = new Set(['sts:GetCallerIdentity']);

export type Principal =
  { kind: 'arn'; arn: string; roleName?: string } | { kind: 'root' } | { kind: 'unsupported'; why: string };

/**
 * The IAM principal to simulate for a caller ARN. An assumed-role session
 * (`arn:aws:sts::<acct>:assumed-role/<role>/<session>`) is its role; the role's
 * path is not in the session ARN, so it is looked up with GetRole.
 */
export function principalOf(callerArn: string): Principal {
  const m = /^arn:([^:]+):(iam|sts)::(\d{12}):(.+)$/.exec(callerArn);
  if (!m) return { kind: 'unsupported', why: `"${callerArn}" is not an IAM or STS ARN` };
  const [, partition, service, account, resource] = m as unknown as [string, string, string, string, string];
  if (service === 'iam' && resource === 'root') return { kind: 'root' };
  if (service === 'iam' && (resource.startsWith('user/') || resource.startsWith('role/')))
    return { kind: 'arn', arn: callerArn };
  const assumed = /^assumed-role\/([^/]+)\/.+$/.exec(resource);
  if (service === 'sts' && assumed)
    return { kind: 'arn', arn: `arn:${partition}:iam::${account}:role/${assumed[1]}`, roleName: assumed[1] };
  return {
    kind: 'unsupported',
    why: `${callerArn} is a ${resource.split('/')[0]} session, which IAM policy simulation does not support`,
  };
}

async function roleArnWithPath(
  iam: AwsClients['iam'],
  principal: Extract<Principal, { kind: 'arn' }>,
): Promise<string> {
  if (!principal.roleName) return principal.arn;
  // Without iam:GetRole the path-less ARN still works for roles at "/" (the common case).
  const out = await iam.send(new GetRoleCommand({ RoleName: principal.roleName })).catch(() => undefined);
  return out?.Role?.Arn ?? principal.arn;
}

function allowed(r: EvaluationResult): boolean {
  if (r.EvalDecision === 'allowed') return true;
  // Several resources: the action is usable when the resource it really acts on is allowed;
  // the statement lists the kinds an action may touch (model, config, endpoint).
  return (r.ResourceSpecificResults ?? []).some((x) => x.EvalResourceDecision === 'allowed');
}

interface Simulation {
  statement: DeployerStatement;
  actions: string[];
  resources: string[];
  env: string;
  accountId: string;
}

/** One simulation per statement and environment, deduplicated when the resources are the same ("*"). */
function simulations(
  statements: readonly DeployerStatement[],
  scopes: { env: string; accountId: string; resourcesOf: (s: DeployerStatement) => string[] }[],
): Simulation[] {
  const seen = new Set<string>();
  const out: Simulation[] = [];
  for (const { env, accountId, resourcesOf } of scopes) {
    for (const statement of statements) {
      if (statement.Effect === 'Deny') continue; // guards, not calls up makes
      const actions = statement.Action.filter((a) => !NOT_SIMULATED.has(a));
      if (actions.length === 0) continue;
      for (const group of simulationGroups(statement, actions, resourcesOf(statement))) {
        const key = `${statement.Sid}|${group.actions.join(',')}|${group.resources.join(',')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ statement, actions: group.actions, resources: group.resources, env, accountId });
      }
    }
  }
  return out;
}

async function evaluate(iam: AwsClients['iam'], policySourceArn: string, sim: Simulation): Promise<EvaluationResult[]> {
  const pages = paginateSimulatePrincipalPolicy(
    { client: iam },
    {
      PolicySourceArn: policySourceArn,
      ActionNames: sim.actions,
      ...(sim.resources.includes('*') ? {} : { ResourceArns: sim.resources }),
      ...(sim.statement.Condition ? { ContextEntries: simulatedContext(sim.statement, sim.accountId) } : {}),
    },
  );
  return collect(pages, (page) => page.EvaluationResults);
}

function describePrincipal(identity: CallerIdentity, arn: string): string {
  return arn === identity.arn ? arn : `${arn} (session ${identity.arn})`;
}

export const iamCheck: Check = {
  id: 'doctor.iam',
  title: "the deployer's identity may make the calls up makes",
  description:
    "IAM SimulatePrincipalPolicy of the deployer policy's actions (the README's list, src/aws/deployer-policy.ts) on this project's ARNs for the calling identity; denied actions by name.",
  run: (ctx) =>
    withAws(ctx, 'SimulatePrincipalPolicy', async ({ clients, release, identity }) => {
      const principal = principalOf(identity.arn);
      if (principal.kind === 'root') {
        return pass(
          `${identity.arn} is the account root user: every action is allowed (deploy with a least-privilege role instead)`,
        );
      }
      if (principal.kind === 'unsupported')
        return skip(`${principal.why}; check the permissions by hand against \`model-deploy policy\``);
      const sourceArn = await roleArnWithPath(clients.iam, principal);
      const envs = ENV_ORDER.filter((e) => release.environments[e]);
      const statements = [
        ...DEPLOYER_STATEMENTS,
        ...(envs.some((e) => vpcOf(release, e)) ? VPC_DEPLOY_STATEMENTS : []),
        ...(envs.some((e) => endpointKmsKeyId(release, e, release.environments[e]!.instanceType))
          ? KMS_DEPLOY_STATEMENTS
          : []),
      ];
      const scopes = envs.map((env) => {
        const names = resourceNames(release, env);
        const scope = { partition: identity.partition, region: release.region, accountId: identity.accountId };
        const givenRoles = release.iam ?? {};
        return {
          env,
          accountId: identity.accountId,
          resourcesOf: (s: DeployerStatement) =>
            simulatedResources(s, { ...scope, names, arns: resourceArns(names, scope), givenRoles }),
        };
      });
      const denied = new Map<string, string>();
      const evaluated = new Set<string>();
      for (const sim of simulations(statements, scopes)) {
        let results: EvaluationResult[];
        try {
          results = await evaluate(clients.iam, sourceArn, sim);
        } catch (err) {
          if (hasErrorName(err, 'NoSuchEntityException', 'NoSuchEntity')) {
            return fail(
              `IAM has no principal ${sourceArn} to simulate`,
              'Run doctor with the credentials that will deploy (AWS_PROFILE / the CI role), or check the role still exists.',
            );
          }
          if (hasErrorName(err, 'AccessDenied', 'AccessDeniedException')) {
            return fail(
              `${describePrincipal(identity, sourceArn)} may not call iam:SimulatePrincipalPolicy, so its permissions cannot be checked`,
              'Grant iam:SimulatePrincipalPolicy on the identity itself (statement DoctorPolicySimulation of `model-deploy policy`), or skip with --skip doctor.iam.',
            );
          }
          throw err;
        }
        for (const a of sim.actions) evaluated.add(a);
        // An action IAM gave no answer for is not known to be allowed.
        for (const a of sim.actions) {
          if (!results.some((r) => r.EvalActionName === a) && !denied.has(a))
            denied.set(a, `${a} (no simulation result)`);
        }
        for (const r of results) {
          if (r.EvalActionName && !allowed(r) && !denied.has(r.EvalActionName)) {
            // Name the resource IAM refused (the first one), not just the action.
            const refused =
              r.ResourceSpecificResults?.find((x) => x.EvalResourceDecision !== 'allowed')?.EvalResourceName ??
              r.EvalResourceName;
            const where = refused && refused !== '*' ? ` on ${refused}` : '';
            denied.set(r.EvalActionName, `${r.EvalActionName} (${r.EvalDecision ?? 'denied'}${where})`);
          }
        }
      }
      if (denied.size > 0) {
        const list = [...denied.values()];
        const more = list.length > MAX_LISTED ? `, … (${list.length - MAX_LISTED} more)` : '';
        return fail(
          `${describePrincipal(identity, sourceArn)} is denied ${denied.size} action${denied.size > 1 ? 's' : ''}: ${list.slice(0, MAX_LISTED).join(', ')}${more}`,
          `Attach the policy printed by \`model-deploy policy\` to ${sourceArn} (or add these actions to its policy); explicitDeny means an SCP, a permissions boundary or a Deny statement blocks it.`,
        );
      }
      return pass(
        `${describePrincipal(identity, sourceArn)} may make all ${evaluated.size} simulated actions (${envs.join(', ')})`,
      );
    }),
};
