// Where an async environment's requests live in S3, derived from release.yaml
// `environments.<env>.async.outputS3Uri`: one bucket, three prefixes under the
// user's prefix, so the endpoint's and the proxy's grants can each name exactly
// the prefixes they touch.
import type { AsyncConfig } from '../release/types.js';

export interface AsyncPaths {
  bucket: string;
  /** Key prefixes, each ending in `/` (`''` user prefix: `inputs/`). */
  inputPrefix: string;
  resultPrefix: string;
  failurePrefix: string;
}

/** `s3://bucket/some/prefix/` -> { bucket, inputPrefix: 'some/prefix/inputs/', ... }. */
export function asyncPaths(config: Pick<AsyncConfig, 'outputS3Uri'>): AsyncPaths {
  const rest = config.outputS3Uri.replace(/^s3:\/\//, '');
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const userPrefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  const under = (name: string) => (userPrefix === '' ? `${name}/` : `${userPrefix}/${name}/`);
  return { bucket, inputPrefix: under('inputs'), resultPrefix: under('results'), failurePrefix: under('failures') };
}

/** `s3://bucket/key-prefix` (no trailing slash), as AsyncInferenceOutputConfig takes it. */
export function s3Uri(bucket: string, prefix: string): string {
  return `s3://${bucket}/${prefix.replace(/\/+$/, '')}`;
}

/** `arn:aws:s3:::bucket/prefix*`: the objects under a prefix, for IAM. */
export function prefixObjectsArn(partition: string, bucket: string, prefix: string): string {
  return `arn:${partition}:s3:::${bucket}/${prefix}*`;
}
