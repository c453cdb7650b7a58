// The diagnosis as the terminal shows it: reason, likely cause (with the line
// that gave it away and what to change), the log tail, the local reproduction.
import type { Diagnosis } from './diagnose-endpoint.js';

export function renderDiagnosis(d: Diagnosis): string {
  const out: string[] = [];
  out.push(`Endpoint ${d.endpoint} failed${d.status ? ` (status ${d.status})` : ''}.`);
  out.push(`  failure reason: ${d.failureReason ?? '(SageMaker gave none)'}`);
  out.push(`  likely cause (${d.cause.id}): ${d.cause.summary}`);
  if (d.cause.evidence && d.cause.evidence !== d.failureReason) out.push(`    seen: ${d.cause.evidence}`);
  out.push(`    fix: ${d.cause.fix}`);
  const { logs } = d;
  if (logs.missing) {
    out.push(
      `  logs: log group ${logs.logGroup} does not exist: the container never wrote a line (it did not start, or the execution role cannot write logs).`,
    );
  } else if (logs.error) {
    out.push(`  logs: cannot read ${logs.logGroup}: ${logs.error}`);
  } else if (logs.lines.length === 0) {
    out.push(
      `  logs: no lines in ${logs.logGroup}${logs.streams.length ? ` (streams ${logs.streams.join(', ')})` : ''}.`,
    );
  } else {
    out.push(`  last ${logs.lines.length} log line(s) from ${logs.logGroup}:`);
    const several = logs.streams.length > 1;
    for (const line of logs.lines)
      out.push(`    ${line.timestamp ?? ''}${several ? ` [${line.stream}]` : ''} ${line.message}`.trimEnd());
  }
  out.push(`  reproduce locally: ${d.reproduce}`);
  return `${out.join('\n')}\n`;
}
