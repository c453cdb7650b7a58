// The error-code part of a generated README's Troubleshooting section, rendered from the
// runtime's and the deployer's error tables. The generator knows templates only, so the
// rendered Markdown is committed as templates/common/troubleshooting-codes.md
// (`npm run troubleshooting -w generator-model-service`); test/generator/troubleshooting.test.ts
// renders it again from the tables and fails when the two drift apart.

/** An entry of @model-service/runtime's ERRORS. */
export interface RuntimeErrorEntry {
  status?: number;
  message: string;
  userFault: boolean;
}

/** An entry of the deployer's ERRORS. */
export interface DeployerErrorEntry {
  fault: string;
  message: string;
  hint: string;
}

export const TROUBLESHOOTING_CODES_FILE = 'common/troubleshooting-codes.md';

/** Pipes and newlines would break a table row (`{name}` placeholders stay: `<name>` would be read as HTML). */
function cell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** What the service owner does about a runtime code (the message itself speaks to the caller). */
function ownerAction(code: string, e: RuntimeErrorEntry): string {
  if (code === 'MS_RUNTIME_MODEL_LOAD_FAILED' || code === 'MS_RUNTIME_WARMUP_FAILED') {
    return 'The service stays up but unhealthy (/ping 503, so SageMaker never routes to it): fix the artifact or src/model_loader.ts; `npm start` shows the same error locally.';
  }
  if (e.status === undefined)
    return 'The service stops at start with this message; fix what it names and start again (`npm start` shows it locally).';
  if (e.userFault)
    return 'The caller sent it: nothing to fix in the service unless valid requests get it (then check `src/prediction.ts`).';
  if (code === 'MS_RUNTIME_OVERLOADED')
    return 'Scale out (release.yaml instance count / autoscaling) or raise MS_MAX_IN_FLIGHT.';
  if (code === 'MS_RUNTIME_PREDICT_TIMEOUT')
    return 'Make predict faster, send fewer instances, or raise MS_PREDICT_TIMEOUT_MS.';
  if (e.status === 503)
    return 'Look at /health/ready and the start-up log lines (model load, warm-up, readiness checks).';
  return 'Find the request id in the JSON logs; the log line carries the cause.';
}

/** Markdown tables: runtime codes (what callers see and what the owner does), then deployer codes. */
export function renderTroubleshootingCodes(
  runtime: Readonly<Record<string, RuntimeErrorEntry>>,
  deployer: Readonly<Record<string, DeployerErrorEntry>>,
): string {
  const out: string[] = [
    '### Error codes from the service (`@model-service/runtime`)',
    '',
    'Every error answer is `{"error": {"code": ..., "message": ...}}`; start-up errors are one JSON log line.',
    '',
    '| code | HTTP | message | what to do |',
    '| --- | --- | --- | --- |',
  ];
  for (const [code, e] of Object.entries(runtime)) {
    out.push(`| \`${code}\` | ${e.status ?? 'start-up'} | ${cell(e.message)} | ${cell(ownerAction(code, e))} |`);
  }
  out.push(
    '',
    '### Error codes from `model-deploy` (`@model-service/deployer`)',
    '',
    'The CLI prints one paragraph: the code, what happened, what to do. `fault` says who acts:',
    'you (`user`), AWS or your account (`aws`), or a bug to report (`bug`).',
    '',
    '| code | fault | what happened | what to do |',
    '| --- | --- | --- | --- |',
  );
  for (const [code, e] of Object.entries(deployer)) {
    out.push(`| \`${code}\` | ${e.fault} | ${cell(e.message)} | ${cell(e.hint)} |`);
  }
  return `${out.join('\n')}\n`;
}
