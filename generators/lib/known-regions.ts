// Whether a region is one AWS has: the partition table the AWS SDK ships (regions with a
// description), not a hand-kept list. A region newer than the installed SDK is unknown here.
import { awsEndpointFunctions } from '@aws-sdk/core/client';
import { REGION } from './constants.js';

type PartitionOf = (region: string) => { description?: string } | undefined;

export function isKnownRegion(region: string): boolean {
  const partition = awsEndpointFunctions.partition as unknown as PartitionOf;
  return REGION.test(region) && partition(region)?.description !== undefined;
}

/** The default region: AWS_REGION (or AWS_DEFAULT_REGION), as the AWS CLI and SDKs take it, else `fallback`. */
export function regionFromEnv(env: NodeJS.ProcessEnv, fallback: string): { region: string; from?: string } {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = env[name]?.trim();
    if (value) return { region: value, from: name };
  }
  return { region: fallback };
}
