// doctor.capacity and doctor.config.volume. Capacity runs against the real
// Service Quotas client stubbed by aws-sdk-client-mock (paged listings, the
// SDK's own exception classes); volume reads the project's model size.
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException,
  GetServiceQuotaCommand,
  ListAWSDefaultServiceQuotasCommand,
  ListServiceQuotasCommand,
  NoSuchResourceException,
  ServiceQuotasClient,
  type ServiceQuota,
} from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { capacityCheck, maxInstances } from '../../src/checks/doctor-capacity.js';
import { requiredVolumeGb, volumeCheck } from '../../src/checks/doctor-volume.js';
import type { CheckContext } from '../../src/checks/check.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';
import { parseRelease } from '../../src/release/load-release.js';
import { MAX_PAGES } from '../../src/aws/pages.js';
import { RELEASE_YAML } from '../helpers/aws-context.js';

const meta = (status: number) => ({ httpStatusCode: status, requestId: 'req-sq', attempts: 1, totalRetryDelay: 0 });
const quota = (type: string, code: string, value: number): ServiceQuota => ({
  ServiceCode: 'sagemaker',
  QuotaName: `${type} for endpoint usage`,
  QuotaCode: code,
  Value: value,
  Adjustable: true,
});
// The two quotas RELEASE_YAML needs (dev ml.t2.medium x1, prod ml.m5.large autoscaling up to 4), on two pages among others.
const PAGES: ServiceQuota[][] = [
  [
    quota('ml.t2.medium', 'L-T2MED', 2),
    { ServiceCode: 'sagemaker', QuotaName: 'Number of endpoints', QuotaCode: 'L-EP', Value: 100 },
  ],
  [quota('ml.m5.large', 'L-M5L', 4), quota('ml.c5.large', 'L-C5L', 0)],
];

let sq: AwsStub<any, any, any>;
let sts: AwsStub<any, any, any>;

function listPaged(
  command: typeof ListServiceQuotasCommand | typeof ListAWSDefaultServiceQuotasCommand,
  pages: ServiceQuota[][],
): void {
  sq.on(command).callsFake((input: { NextToken?: string; ServiceCode: string }) => {
    expect(input.ServiceCode).toBe('sagemaker');
    const i = input.NextToken ? Number(input.NextToken) : 0;
    return { Quotas: pages[i] ?? [], ...(i + 1 < pages.length ? { NextToken: String(i + 1) } : {}) };
  });
}

beforeEach(() => {
  sq = mockClient(ServiceQuotasClient);
  sts = mockClient(STSClient);
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ci' });
  listPaged(ListServiceQuotasCommand, PAGES);
  listPaged(ListAWSDefaultServiceQuotasCommand, []);
  sq.on(GetServiceQuotaCommand).callsFake((input: { QuotaCode: string }) => ({
    Quota: PAGES.flat().find((q) => q.QuotaCode === input.QuotaCode),
  }));
});
afterEach(() => {
  sq.restore();
  sts.restore();
});

const ctxFor = (yaml = RELEASE_YAML, dir = '/nonexistent'): CheckContext =>
  defaultCheckContext({ dir, env: {}, skipTests: true, builder: 'docker', release: parseRelease(yaml) });

describe('doctor.capacity', () => {
  it("passes when each type is offered and its quota covers the environment's max instances", async () => {
    const r = await capacityCheck.run(ctxFor());
    expect(r).toEqual({ status: 'pass', message: 'ml.t2.medium quota 2 ≥ dev 1; ml.m5.large quota 4 ≥ prod 4' });
    // The listing stopped once both names were found; the applied values were read by code.
    expect(sq.commandCalls(ListServiceQuotasCommand)).toHaveLength(2);
    expect(
      sq
        .commandCalls(GetServiceQuotaCommand)
        .map((c) => c.args[0].input.QuotaCode)
        .sort(),
    ).toEqual(['L-M5L', 'L-T2MED']);
  });

  it('says which environments it skips as serverless (no instance quota) and checks the rest', async () => {
    const yaml = RELEASE_YAML.replace(
      '    instanceType: ml.t2.medium\n    instanceCount: 1\n    volumeSizeGb: 10\n',
      '    serverless: { memoryMb: 2048, maxConcurrency: 5 }\n',
    );
    const r = await capacityCheck.run(ctxFor(yaml));
    expect(r).toEqual({
      status: 'pass',
      message: 'ml.m5.large quota 4 ≥ prod 4; dev: skip: serverless endpoint (no instances)',
    });
  });

  it('skips without calling AWS when every environment is serverless', async () => {
    const yaml = RELEASE_YAML.replace(
      '    instanceType: ml.t2.medium\n    instanceCount: 1\n    volumeSizeGb: 10\n',
      '    serverless: { memoryMb: 2048, maxConcurrency: 5 }\n',
    ).replace(/ {2}prod:\n[\s\S]*$/, '');
    const r = await capacityCheck.run(ctxFor(yaml));
    expect(r).toEqual({ status: 'skip', message: 'every environment is a serverless endpoint (no instances)' });
    expect(sq.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });

  it('fails when the applied quota is below autoscaling.maxCapacity, with the increase command', async () => {
    sq.on(GetServiceQuotaCommand, { QuotaCode: 'L-M5L' }).resolves({ Quota: quota('ml.m5.large', 'L-M5L', 2) });
    const r = await capacityCheck.run(ctxFor());
    expect(capacityCheck.id).toBe('doctor.capacity');
    expect(r.status).toBe('fail');
    expect(r.message).toBe('quota "ml.m5.large for endpoint usage" is 2 in eu-west-1, prod needs up to 4');
    expect(r.fix).toBe(
      'Request more: aws service-quotas request-service-quota-increase --service-code sagemaker --quota-code L-M5L --desired-value 4 --region eu-west-1 (or lower instanceCount / autoscaling.maxCapacity).',
    );
  });

  it('fails for an instance type with no endpoint quota in the region (not offered there)', async () => {
    const r = await capacityCheck.run(ctxFor(RELEASE_YAML.replace('ml.t2.medium', 'ml.inf2.xlarge')));
    expect(r).toMatchObject({
      status: 'fail',
      message:
        'ml.inf2.xlarge is not offered for SageMaker endpoints in eu-west-1 (no "ml.inf2.xlarge for endpoint usage" quota)',
      fix: expect.stringMatching(/^Pick an instance type offered in eu-west-1/),
    });
    // Looked in the defaults too before concluding.
    expect(sq.commandCalls(ListAWSDefaultServiceQuotasCommand).length).toBeGreaterThan(0);
  });

  it('falls back to the AWS default value when the quota was never applied (GetServiceQuota NoSuchResourceException)', async () => {
    listPaged(ListServiceQuotasCommand, [PAGES[0]!]);
    listPaged(ListAWSDefaultServiceQuotasCommand, [[quota('ml.m5.large', 'L-M5L', 8)]]);
    sq.on(GetServiceQuotaCommand, { QuotaCode: 'L-M5L' }).rejects(
      new NoSuchResourceException({
        message: 'The request failed because the specified resource does not exist.',
        $metadata: meta(400),
      }),
    );
    expect(await capacityCheck.run(ctxFor())).toEqual({
      status: 'pass',
      message: 'ml.t2.medium quota 2 ≥ dev 1; ml.m5.large quota 8 ≥ prod 4',
    });
  });

  it('notes when environments sharing a type would exceed the quota together', async () => {
    const yaml = RELEASE_YAML.replace('ml.t2.medium', 'ml.m5.large');
    expect((await capacityCheck.run(ctxFor(yaml))).message).toBe(
      'ml.m5.large quota 4 ≥ dev 1, prod 4 (together 5: more than the quota if they share this account)',
    );
  });

  it('turns AccessDeniedException into a FAIL with the deployer code', async () => {
    sq.on(ListServiceQuotasCommand).rejects(
      new AccessDeniedException({
        message: 'You do not have sufficient access to perform this action.',
        $metadata: meta(400),
      }),
    );
    const r = await capacityCheck.run(ctxFor());
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/^MS_DEPLOY_AWS_ACCESS_DENIED: .*AccessDeniedException/);
    expect(r.fix).toBeTruthy();
  });

  it('pages are bounded: a listing that never ends stops', async () => {
    sq.on(ListServiceQuotasCommand).resolves({ Quotas: [], NextToken: 'again' });
    sq.on(ListAWSDefaultServiceQuotasCommand).resolves({ Quotas: [], NextToken: 'again' });
    expect((await capacityCheck.run(ctxFor())).status).toBe('fail');
    expect(sq.commandCalls(ListServiceQuotasCommand)).toHaveLength(MAX_PAGES);
  });

  it("maxInstances: the count, or autoscaling's max when that is on", () => {
    const release = parseRelease(RELEASE_YAML);
    expect(maxInstances(release.environments.dev!)).toBe(1);
    expect(maxInstances(release.environments.prod!)).toBe(4);
  });
});

describe('doctor.config.volume', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ms-volume-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function model(bytes: number): void {
    mkdirSync(join(dir, 'model'));
    const fd = openSync(join(dir, 'model', 'weights.onnx'), 'w');
    ftruncateSync(fd, bytes); // sparse: no disk used
    closeSync(fd);
  }

  it('passes when the volume holds model + image allowance with margin; notes the default volume', async () => {
    model(100 * 1024 * 1024);
    const r = await volumeCheck.run(ctxFor(RELEASE_YAML, dir));
    expect(r).toEqual({
      status: 'pass',
      message: "model 0.10 GB; dev: 10 GB ≥ 3 GB; prod: SageMaker's default volume",
    });
  });

  it('fails when the volume is too small for the model, naming the size to set', async () => {
    model(7 * 1024 ** 3);
    const r = await volumeCheck.run(ctxFor(RELEASE_YAML, dir));
    expect(volumeCheck.id).toBe('doctor.config.volume');
    expect(r).toMatchObject({
      status: 'fail',
      message:
        'environments.dev.volumeSizeGb is 10 GB, model (7.00 GB) + image allowance (2.00 GB) with 25% margin needs 12 GB',
      fix: 'Set volumeSizeGb: 12 (or more) for dev in release.yaml.',
    });
  });

  it('fails when volumeSizeGb is set for an instance type with instance storage; passes once removed', async () => {
    const withNvme = RELEASE_YAML.replace('ml.t2.medium', 'ml.m5d.large');
    const r = await volumeCheck.run(ctxFor(withNvme, dir));
    expect(r).toMatchObject({
      status: 'fail',
      message:
        'environments.dev.volumeSizeGb is 10 but ml.m5d.large has instance storage: SageMaker rejects VolumeSizeInGB for it',
      fix: expect.stringMatching(/^Remove volumeSizeGb from environments\.dev/),
    });
    const fixed = await volumeCheck.run(ctxFor(withNvme.replace('    volumeSizeGb: 10\n', ''), dir));
    expect(fixed).toEqual({
      status: 'pass',
      message: "model 0.00 GB; dev: ml.m5d.large instance storage; prod: SageMaker's default volume",
    });
  });

  it('counts release.yaml image.maxSizeMb as the image allowance', async () => {
    const at = (mb: number) =>
      volumeCheck.run(
        ctxFor(RELEASE_YAML.replace('image: { keepLast: 10 }', `image: { keepLast: 10, maxSizeMb: ${mb} }`), dir),
      );
    expect((await at(8192)).status).toBe('pass'); // (0 + 8 GB) × 1.25 = 10 GB: fits exactly
    expect(await at(8200)).toMatchObject({
      status: 'fail',
      message:
        'environments.dev.volumeSizeGb is 10 GB, model (0.00 GB) + image allowance (8.01 GB) with 25% margin needs 11 GB',
    });
  });

  it('requiredVolumeGb rounds up (model + 2 GB) × 1.25', () => {
    expect(requiredVolumeGb(0)).toBe(3);
    expect(requiredVolumeGb(2 * 1024 ** 3)).toBe(5);
  });
});
