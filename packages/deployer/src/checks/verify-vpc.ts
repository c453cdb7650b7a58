// verify.vpc: after a deploy, read back where the model and the Lambda proxy
// actually run (endpoint -> endpoint config -> model VpcConfig; the function's
// VpcConfig) and compare with release.yaml's vpc for the environment.
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { sameValue } from '../resources/diff.js';
import { observedVpcIds, vpcIds, type VpcIds } from '../resources/vpc.js';
import type { VpcConfig } from '../release/types.js';
import type { CheckResult } from './check.js';

export interface VpcVerifyTarget {
  env: string;
  endpointName: string;
  functionName: string;
  /** release.yaml's vpc for this environment (the env's own, else the top level). */
  expected?: VpcConfig;
  sagemaker: SageMakerClient;
  lambda: LambdaClient;
}

const show = (ids: VpcIds | undefined) =>
  ids ? `subnets ${ids.subnetIds.join(', ')}, security groups ${ids.securityGroupIds.join(', ')}` : 'no VPC';

function reason(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}

export async function runVpcCheck(t: VpcVerifyTarget): Promise<CheckResult> {
  if (!t.expected)
    return { status: 'skip', message: 'no vpc in release.yaml for this environment: nothing to compare' };
  const want = vpcIds(t.expected);
  const wantIsolation = t.expected.networkIsolation;
  const problems: string[] = [];
  const seen: string[] = [];
  try {
    const endpoint = await t.sagemaker.send(new DescribeEndpointCommand({ EndpointName: t.endpointName }));
    const config = await t.sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
    );
    for (const variant of config.ProductionVariants ?? []) {
      const model = await t.sagemaker.send(new DescribeModelCommand({ ModelName: variant.ModelName }));
      const got = observedVpcIds(model.VpcConfig?.Subnets, model.VpcConfig?.SecurityGroupIds);
      if (!sameValue(got, want)) problems.push(`model ${variant.ModelName}: ${show(got)}`);
      if (Boolean(model.EnableNetworkIsolation) !== wantIsolation)
        problems.push(
          `model ${variant.ModelName}: network isolation ${model.EnableNetworkIsolation ? 'on' : 'off'} (release.yaml: ${wantIsolation ? 'on' : 'off'})`,
        );
      seen.push(`model ${variant.ModelName}`);
    }
  } catch (err) {
    return {
      status: 'fail',
      message: `cannot read the model behind ${t.endpointName}: ${reason(err)}`,
      fix: `Deploy it with \`model-deploy up ${t.env}\`, or grant sagemaker:DescribeEndpointConfig and sagemaker:DescribeModel.`,
    };
  }
  try {
    const fn = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: t.functionName }));
    const got = observedVpcIds(fn.VpcConfig?.SubnetIds, fn.VpcConfig?.SecurityGroupIds);
    if (!sameValue(got, want)) problems.push(`function ${t.functionName}: ${show(got)}`);
    seen.push(`function ${t.functionName}`);
  } catch (err) {
    return {
      status: 'fail',
      message: `cannot read ${t.functionName}: ${reason(err)}`,
      fix: `Deploy it with \`model-deploy up ${t.env}\`.`,
    };
  }
  if (problems.length > 0) {
    return {
      status: 'fail',
      message: `${problems.join('; ')} (release.yaml: ${show(want)}${wantIsolation ? ', network isolation on' : ''})`,
      fix: `Run \`model-deploy up ${t.env}\`: it creates a model with release.yaml's VpcConfig and updates the function's.`,
    };
  }
  return {
    status: 'pass',
    message: `${seen.join(' and ')} in ${show(want)}${wantIsolation ? ', network isolation on' : ''}`,
  };
}
