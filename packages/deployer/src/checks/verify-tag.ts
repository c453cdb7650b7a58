// How `verify` records its result on the endpoint and how `promote` reads it:
//   model-service:verified = pass@2026-11-25T09:30:00.000Z/ms-iris-dev-1a2b3c4d
// The endpoint config name ties the result to exactly what was running. ("/" and
// not "#": SageMaker tag values allow only letters, digits, spaces and _.:/=+-@.)
export const VERIFIED_TAG = 'model-service:verified';

/** partial = nothing failed, but a check promote requires (verify.golden) was skipped on purpose. */
export type VerifiedResult = 'pass' | 'fail' | 'partial';

export interface VerifiedTag {
  result: VerifiedResult;
  at: string;
  configName: string;
}

const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const PARSE = /^(pass|fail|partial)@([0-9T:.Z-]+)\/(.+)$/;

export function formatVerifiedTag(tag: VerifiedTag): string {
  const value = `${tag.result}@${tag.at}/${tag.configName}`;
  if (!TAG_VALUE.test(value) || value.length > 256) throw new Error(`not a valid SageMaker tag value: ${value}`);
  return value;
}

export function parseVerifiedTag(value: string | undefined): VerifiedTag | undefined {
  const match = PARSE.exec(value ?? '');
  return match ? { result: match[1] as VerifiedResult, at: match[2]!, configName: match[3]! } : undefined;
}
