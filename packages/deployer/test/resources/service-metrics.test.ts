// The deployer and the runtime agree on the service's EMF metrics: the names the dashboard,
// alarms and verify read are the ones the runtime writes, and the container environment the
// deployer sets is a valid runtime configuration that writes them on those dimensions.
import { describe, expect, it } from '@jest/globals';
import { EMF_DEFAULTS, EMF_METRIC_NAMES, loadConfig, serviceOptionsFromConfig } from '@model-service/runtime';
import { sagemakerContainerEnvironment } from '../../src/resources/container-environment.js';
import {
  SERVICE_METRIC,
  SERVICE_METRICS_NAMESPACE,
  serviceMetricDimensions,
} from '../../src/resources/service-metrics.js';
import { testContext } from '../helpers/aws-context.js';

describe("the service's EMF metrics, deployer and runtime", () => {
  it('share metric names and namespace', () => {
    expect(SERVICE_METRIC).toEqual(EMF_METRIC_NAMES);
    expect(SERVICE_METRICS_NAMESPACE).toBe(EMF_DEFAULTS.namespace);
  });

  it("the SageMaker container's environment turns EMF on with the dimensions the dashboard and alarms use", () => {
    const ctx = testContext();
    const env = sagemakerContainerEnvironment(ctx.release, ctx.envName, ctx.names);
    const options = serviceOptionsFromConfig(loadConfig(env));
    const dims = serviceMetricDimensions(ctx.release, ctx.envName, ctx.names);
    expect(options.emf).toEqual({
      namespace: SERVICE_METRICS_NAMESPACE,
      service: dims.Service,
      variant: dims.Variant,
      intervalMs: 60_000,
    });
    // The Environment dimension is the runtime's environment, which the deployer sets as MODEL_SERVICE_ENV.
    expect(env.MODEL_SERVICE_ENV).toBe(dims.Environment);
  });
});
