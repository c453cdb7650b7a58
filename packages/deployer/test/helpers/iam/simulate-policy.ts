// Evaluates IAM requests against the policy we write for a principal with
// @cloud-copilot/iam-simulate (strict mode: the request is judged as given), and
// reports both directions of drift: requests the policy does not allow, and
// statement actions that no request needed.
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { IamRequest } from './iam-requests.js';

export interface PolicyJson {
  Version: string;
  Statement: {
    Sid?: string;
    Effect: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    Condition?: unknown;
  }[];
}

export interface PolicyVerdict {
  /** "sagemaker:DescribeEndpoint on arn:... (ImplicitlyDenied) from DescribeEndpoint" */
  denied: string[];
  /** "Sid: action" pairs that allowed none of the requests. */
  unused: string[];
}

/** KMS authorizes on the key policy first: the default one, which defers to IAM policies of the account. */
function defaultKeyPolicy(accountId: string): PolicyJson {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: 'kms:*',
        Resource: '*',
      } as PolicyJson['Statement'][number],
    ],
  };
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);

export async function judge(options: {
  principal: string;
  accountId: string;
  policy: PolicyJson;
  boundary?: PolicyJson;
  requests: readonly IamRequest[];
}): Promise<PolicyVerdict> {
  const denied = new Set<string>();
  const used = new Set<string>();
  for (const r of options.requests) {
    const simulation = (policy: PolicyJson): Simulation => ({
      identityPolicies: [{ name: 'policy', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(r.action.startsWith('kms:') ? { resourcePolicy: defaultKeyPolicy(options.accountId) } : {}),
      ...(options.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: options.boundary }] } : {}),
      request: {
        action: r.action,
        principal: options.principal,
        resource: { resource: r.resource, accountId: options.accountId },
        contextVariables: r.context,
      },
    });
    const response = await runSimulation(simulation(options.policy), { simulationMode: 'Strict' });
    if (response.resultType === 'error') {
      // The simulator cannot type API Gateway's collection ARNs that have two formats (/apis/.., /restapis/..):
      // those are evaluated without its ARN validation, statement by statement.
      const untyped =
        r.action.startsWith('apigateway:') && (response.errors as { message?: string }).message === 'no.resource.types';
      if (!untyped)
        throw new Error(
          `the simulator refused ${r.action} on ${r.resource} (${r.why}): ${JSON.stringify(response.errors)}`,
        );
      const result = runUnsafeSimulation(simulation(options.policy), { simulationMode: 'Strict' });
      if (result !== 'Allowed') {
        denied.add(`${r.action} on ${r.resource} (${result}) from ${r.why}`);
        continue;
      }
      options.policy.Statement.forEach((s, i) => {
        if (
          runUnsafeSimulation(simulation({ ...options.policy, Statement: [s] }), { simulationMode: 'Strict' }) ===
          'Allowed'
        )
          used.add(`${s.Sid ?? String(i + 1)}: ${r.action}`);
      });
      continue;
    }
    if (response.overallResult !== 'Allowed') {
      denied.add(`${r.action} on ${r.resource} (${response.overallResult}) from ${r.why}`);
      continue;
    }
    const analyses =
      response.resultType === 'single' ? [response.result.analysis] : response.results.map((x) => x.analysis);
    for (const analysis of analyses) {
      for (const s of analysis?.identityAnalysis?.allowStatements ?? [])
        used.add(`${s.explain.identifier}: ${r.action}`);
    }
  }
  const unused: string[] = [];
  options.policy.Statement.forEach((s, i) => {
    if (s.Effect !== 'Allow') return;
    for (const action of list(s.Action)) {
      const id = s.Sid ?? String(i + 1);
      if (![...used].some((u) => u.startsWith(`${id}: `) && matches(action, u.slice(id.length + 2))))
        unused.push(`${id}: ${action}`);
    }
  });
  return { denied: [...denied], unused };
}

/** IAM action match, case-insensitive, with * wildcards. */
function matches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(action);
}
