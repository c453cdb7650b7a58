// doctor.encryption: pure over release.yaml (no AWS client is even built): says
// which key encrypts each environment's endpoint storage; fails only when an
// environment sets kmsKeyId for an instance-storage type, which SageMaker refuses.
import { describe, expect, it } from '@jest/globals';
import { encryptionCheck } from '../../src/checks/doctor-encryption.js';
import type { CheckContext } from '../../src/checks/check.js';
import { checkCatalog } from '../../src/checks/registry.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';
import { parseRelease } from '../../src/release/load-release.js';
import { RELEASE_YAML } from '../helpers/aws-context.js';

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const PROD_KEY = 'arn:aws:kms:eu-west-1:123456789012:alias/ms-iris-prod';
const ctxFor = (yaml: string): CheckContext =>
  defaultCheckContext({
    dir: '/nonexistent',
    env: {},
    skipTests: true,
    builder: 'docker',
    release: parseRelease(yaml),
    createClients: () => {
      throw new Error('doctor.encryption must not call AWS');
    },
  });
const withProdKey = (yaml: string) =>
  yaml.replace('    instanceType: ml.m5.large\n', `    instanceType: ml.m5.large\n    kmsKeyId: ${PROD_KEY}\n`);

describe('doctor.encryption', () => {
  it('is registered among the doctor checks', () => {
    expect(encryptionCheck.id).toBe('doctor.encryption');
    expect(checkCatalog().find((e) => e.id === 'doctor.encryption')?.phase).toBe('doctor');
  });

  it('passes without kmsKeyId, saying an AWS managed key encrypts each volume', async () => {
    expect(await encryptionCheck.run(ctxFor(RELEASE_YAML))).toEqual({
      status: 'pass',
      message:
        'dev: volume encrypted with an AWS managed key (set kmsKeyId to use your own); prod: volume encrypted with an AWS managed key (set kmsKeyId to use your own)',
    });
  });

  it("names the key of each environment: the top-level one, or the environment's own", async () => {
    const r = await encryptionCheck.run(ctxFor(`${withProdKey(RELEASE_YAML)}kmsKeyId: ${KEY}\n`));
    expect(r).toEqual({
      status: 'pass',
      message: `dev: volume encrypted with ${KEY}; prod: volume encrypted with ${PROD_KEY}`,
    });
  });

  it('passes for an instance-storage type (hardware-encrypted), also when a top-level kmsKeyId does not apply to it', async () => {
    const nvme = RELEASE_YAML.replace('instanceType: ml.m5.large', 'instanceType: ml.g4dn.xlarge');
    expect(await encryptionCheck.run(ctxFor(`${nvme}kmsKeyId: ${KEY}\n`))).toEqual({
      status: 'pass',
      message: `dev: volume encrypted with ${KEY}; prod: ml.g4dn.xlarge instance storage, encrypted by the instance's hardware (the top-level kmsKeyId does not apply)`,
    });
  });

  it('fails when an environment sets kmsKeyId for an instance-storage type, naming the path, the type and what to do', async () => {
    const r = await encryptionCheck.run(
      ctxFor(withProdKey(RELEASE_YAML).replace('instanceType: ml.m5.large', 'instanceType: ml.g5.xlarge')),
    );
    expect(r).toEqual({
      status: 'fail',
      message:
        "environments.prod.kmsKeyId is set but ml.g5.xlarge has instance storage: SageMaker refuses KmsKeyId for it (the instance's hardware encrypts that storage)",
      fix: expect.stringMatching(/^Remove kmsKeyId from environments\.prod .*or choose an EBS-backed type/),
    });
  });

  it('skips when release.yaml did not load', async () => {
    const ctx = defaultCheckContext({ dir: '/nonexistent', env: {}, skipTests: true, builder: 'docker' });
    expect((await encryptionCheck.run(ctx)).status).toBe('skip');
  });
});
