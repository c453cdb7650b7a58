// MS_DEPLOY_ENDPOINT_FAILED with its diagnosis attached: the CLI prints the
// diagnosis above the one-paragraph error and puts it under `diagnosis` in
// --json output. Same code, message and exit status as before.
import type { DescribeEndpointCommandOutput } from '@aws-sdk/client-sagemaker';
import type { DeployContext } from '../context.js';
import { DeployerError } from '../errors.js';
import { diagnoseEndpoint, type Diagnosis } from './diagnose-endpoint.js';
import { renderDiagnosis } from './render-diagnosis.js';

export class DiagnosedError extends DeployerError {
  readonly diagnosis: Diagnosis;

  constructor(base: DeployerError, diagnosis: Diagnosis) {
    super(base.code, base.params, base.cause === undefined ? {} : { cause: base.cause });
    this.diagnosis = diagnosis;
  }

  override toUserString(): string {
    return `${renderDiagnosis(this.diagnosis)}\n${super.toUserString()}`;
  }
}

export function diagnosisOf(err: unknown): Diagnosis | undefined {
  return err instanceof DiagnosedError ? err.diagnosis : undefined;
}

/**
 * The endpoint failed (or its update rolled back): diagnose it and return the
 * error to throw. `reason` is what the deployer saw; SageMaker's FailureReason wins.
 */
export async function endpointFailure(
  ctx: DeployContext,
  name: string,
  reason: string,
  options: { cause?: unknown; described?: DescribeEndpointCommandOutput; image?: string } = {},
): Promise<DiagnosedError> {
  ctx.log.info(
    `endpoint ${name} failed: reading its FailureReason and the last lines of ${ctx.names.endpointLogGroup}`,
  );
  const diagnosis = await diagnoseEndpoint({ sagemaker: ctx.clients.sagemaker, logs: ctx.clients.logs }, name, {
    logGroup: ctx.names.endpointLogGroup,
    observed: reason,
    ...(options.described ? { described: options.described } : {}),
    ...(options.image ? { image: options.image } : {}),
  });
  const shown =
    options.described?.FailureReason && !reason.includes(options.described.FailureReason)
      ? `${reason}: ${options.described.FailureReason}`
      : reason;
  const base = new DeployerError(
    'MS_DEPLOY_ENDPOINT_FAILED',
    { resource: name, reason: shown, logGroup: ctx.names.endpointLogGroup },
    { cause: options.cause },
  );
  return new DiagnosedError(base, diagnosis);
}
