// verify.endpoint.in-service, verify.lambda.active and verify.vpc: the deployed
// pieces, read through the AWS SDK (so AWS_ENDPOINT_URL_* points them at the local chain).
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { describeError, type VerifyCheck } from './verify-context.js';
import { runVpcCheck } from './verify-vpc.js';

export const endpointInServiceCheck: VerifyCheck = {
  id: 'verify.endpoint.in-service',
  title: 'SageMaker endpoint is InService',
  description: 'DescribeEndpoint reports InService; otherwise the status and FailureReason.',
  async run(ctx) {
    const t = ctx.target;
    try {
      const endpoint = await t.sagemaker.send(new DescribeEndpointCommand({ EndpointName: t.endpointName }));
      ctx.report.endpoint = {
        arn: endpoint.EndpointArn,
        status: endpoint.EndpointStatus,
        configName: endpoint.EndpointConfigName,
        failureReason: endpoint.FailureReason,
      };
      ctx.deployedAt = endpoint.LastModifiedTime;
      return endpoint.EndpointStatus === 'InService'
        ? { status: 'pass', message: `${t.endpointName} is InService (config ${endpoint.EndpointConfigName})` }
        : {
            status: 'fail',
            message: `${t.endpointName} is ${endpoint.EndpointStatus}${endpoint.FailureReason ? `: ${endpoint.FailureReason}` : ''}`,
            fix: `Run \`model-deploy status ${t.env}\`; a Failed endpoint needs a fixed image or instance settings and \`model-deploy up ${t.env}\`.`,
          };
    } catch (err) {
      return {
        status: 'fail',
        message: `cannot describe ${t.endpointName}: ${describeError(err)}`,
        fix: `Deploy it with \`model-deploy up ${t.env}\`.`,
      };
    }
  },
};

export const lambdaActiveCheck: VerifyCheck = {
  id: 'verify.lambda.active',
  title: 'Lambda proxy is Active',
  description: 'the Lambda proxy is Active and its last update Successful.',
  async run(ctx) {
    const t = ctx.target;
    try {
      const fn = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: t.functionName }));
      const active =
        fn.State === 'Active' && (fn.LastUpdateStatus === undefined || fn.LastUpdateStatus === 'Successful');
      return active
        ? { status: 'pass', message: `${t.functionName} is Active` }
        : {
            status: 'fail',
            message: `${t.functionName} is ${fn.State}/${fn.LastUpdateStatus}: ${fn.StateReason ?? fn.LastUpdateStatusReason ?? ''}`,
            fix: `Run \`model-deploy up ${t.env}\` to repair the function.`,
          };
    } catch (err) {
      return {
        status: 'fail',
        message: `cannot read ${t.functionName}: ${describeError(err)}`,
        fix: `Deploy it with \`model-deploy up ${t.env}\`.`,
      };
    }
  },
};

export const vpcCheck: VerifyCheck = {
  id: 'verify.vpc',
  title: "the deployed model and Lambda run in release.yaml's VPC",
  description:
    "DescribeEndpoint -> DescribeEndpointConfig -> DescribeModel and GetFunctionConfiguration: the model's VpcConfig and EnableNetworkIsolation and the Lambda's VpcConfig are release.yaml's vpc for the env; skip without a vpc.",
  run: ({ target: t }) =>
    runVpcCheck({
      env: t.env,
      endpointName: t.endpointName,
      functionName: t.functionName,
      expected: t.vpc,
      sagemaker: t.sagemaker,
      lambda: t.lambda,
    }),
};
