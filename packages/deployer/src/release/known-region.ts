// Whether a region is one AWS has: the partition table the AWS SDK ships (regions with a
// description), not a hand-kept list. A region newer than the installed SDK is unknown here.
import { awsEndpointFunctions } from '@aws-sdk/core/client';

type PartitionOf = (region: string) => { description?: string } | undefined;

export function isKnownRegion(region: string): boolean {
  const partition = awsEndpointFunctions.partition as unknown as PartitionOf;
  return /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region) && partition(region)?.description !== undefined;
}
