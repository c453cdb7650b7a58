// EC2, Service Quotas, ElastiCache, S3 and SNS clients are created on first use (their SDK packages
// are large and only some releases need them), with the same endpoint overrides,
// region and retry as every other client.
import { describe, expect, test } from '@jest/globals';
import { createLazyAwsClient, endpointEnvVar, LAZY_SERVICE_IDS, type LazyServiceKey } from '../../src/aws/clients.js';

async function endpointOf(client: {
  config: { endpoint?: () => Promise<{ hostname: string; port?: number; protocol: string }> };
}) {
  const ep = await client.config.endpoint?.();
  return ep && `${ep.protocol}//${ep.hostname}${ep.port ? `:${ep.port}` : ''}`;
}

const SERVICES = Object.keys(LAZY_SERVICE_IDS) as LazyServiceKey[];

describe('createLazyAwsClient', () => {
  test('variable names follow the SDK service ids', () => {
    expect(SERVICES.map(endpointEnvVar)).toEqual([
      'AWS_ENDPOINT_URL_EC2',
      'AWS_ENDPOINT_URL_SERVICE_QUOTAS',
      'AWS_ENDPOINT_URL_ELASTICACHE',
      'AWS_ENDPOINT_URL_S3',
      'AWS_ENDPOINT_URL_SNS',
      'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    ]);
  });

  test.each(SERVICES)('%s: region, adaptive retry, the SDK service id, AWS_ENDPOINT_URL', async (service) => {
    const client = await createLazyAwsClient(service, {
      region: 'eu-west-1',
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' },
    });
    expect(await client.config.region()).toBe('eu-west-1');
    expect(client.config.retryMode).toBe('adaptive');
    expect((client.config as unknown as { serviceId: string }).serviceId).toBe(LAZY_SERVICE_IDS[service]);
    expect(await endpointOf(client as never)).toBe('http://127.0.0.1:4566');
    client.destroy();
  });

  test('the per-service variable wins for that service only', async () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9002' };
    const ec2 = await createLazyAwsClient('ec2', { region: 'eu-west-1', env });
    const sq = await createLazyAwsClient('serviceQuotas', { region: 'eu-west-1', env });
    expect(await endpointOf(ec2 as never)).toBe('http://127.0.0.1:9002');
    expect(await endpointOf(sq as never)).toBe('http://127.0.0.1:4566');
    ec2.destroy();
    sq.destroy();
  });
});
