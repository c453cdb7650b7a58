// Parses `--image <uri@sha256:digest | uri:tag>` and ECR repository URIs.
import { DeployerError } from '../errors.js';

export interface ImageRef {
  /** `<registry>/<repository>` */
  repositoryUri: string;
  registry: string;
  repositoryName: string;
  /** The ECR registry (account) id when the host is an ECR registry. */
  registryId?: string;
  digest?: string;
  tag?: string;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
const REF = /^([a-z0-9.-]+(?::\d+)?)\/([a-z0-9][a-z0-9._/-]*?)(?:@(sha256:[a-f0-9]{64})|:([\w][\w.-]{0,127}))$/;

export function parseRepositoryUri(uri: string): Omit<ImageRef, 'digest' | 'tag'> {
  const slash = uri.indexOf('/');
  const registry = uri.slice(0, slash);
  return {
    repositoryUri: uri,
    registry,
    repositoryName: uri.slice(slash + 1),
    registryId: ECR_HOST.exec(registry)?.[1],
  };
}

export function parseImageRef(ref: string): ImageRef {
  const m = REF.exec(ref.trim());
  if (!m) throw new DeployerError('MS_DEPLOY_IMAGE_REF', { image: ref });
  const [, registry, repositoryName, digest, tag] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string | undefined,
  ];
  return { ...parseRepositoryUri(`${registry}/${repositoryName}`), digest, tag };
}
