// The CloudWatch Embedded Metric Format specification as a checker: its published JSON schema
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html,
// with today's limit of 30 dimension keys per DimensionSet) plus the rules that schema cannot
// express: every referenced target member is on the root node, dimension targets are strings,
// metric targets are a number or at most 100 numbers, at most 100 MetricDefinitions.
import { Ajv } from 'ajv';

const UNITS =
  'Seconds|Microseconds|Milliseconds|Bytes|Kilobytes|Megabytes|Gigabytes|Terabytes|Bits|Kilobits|Megabits|Gigabits|Terabits|Percent|Count|Bytes\\/Second|Kilobytes\\/Second|Megabytes\\/Second|Gigabytes\\/Second|Terabytes\\/Second|Bits\\/Second|Kilobits\\/Second|Megabits\\/Second|Gigabits\\/Second|Terabits\\/Second|Count\\/Second|None';

const name = { type: 'string', pattern: '^(.*)$', minLength: 1, maxLength: 255 };

/** The specification's schema for one document. */
export const EMF_SCHEMA = {
  type: 'object',
  title: 'Root Node',
  required: ['_aws'],
  properties: {
    _aws: {
      type: 'object',
      title: 'Metadata',
      required: ['Timestamp', 'CloudWatchMetrics'],
      properties: {
        Timestamp: { type: 'integer' },
        CloudWatchMetrics: {
          type: 'array',
          title: 'MetricDirectives',
          items: {
            type: 'object',
            title: 'MetricDirective',
            required: ['Namespace', 'Dimensions', 'Metrics'],
            properties: {
              Namespace: name,
              Dimensions: {
                type: 'array',
                minItems: 1,
                items: { type: 'array', title: 'DimensionSet', minItems: 0, maxItems: 30, items: name },
              },
              Metrics: {
                type: 'array',
                maxItems: 100,
                items: {
                  type: 'object',
                  title: 'MetricDefinition',
                  required: ['Name'],
                  properties: {
                    Name: name,
                    Unit: { type: 'string', pattern: `^(${UNITS})$` },
                    StorageResolution: { enum: [1, 60] },
                  },
                  additionalProperties: false,
                },
              },
            },
            additionalProperties: false,
          },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: false }).compile(EMF_SCHEMA);

/** The problems of one stdout line as an EMF document; empty when it follows the specification. */
export function emfProblems(line: string): string[] {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return ['not one JSON object (no data may precede or follow it)'];
  }
  if (Buffer.byteLength(line) > 256 * 1024) return ['larger than a CloudWatch Logs event (256 KB)'];
  if (!validate(doc)) return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  const problems: string[] = [];
  const directives = (doc._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: { Name: string }[] }> })
    .CloudWatchMetrics;
  for (const directive of directives) {
    for (const key of directive.Dimensions.flat()) {
      if (typeof doc[key] !== 'string') problems.push(`dimension ${key} has no string target member on the root`);
    }
    for (const { Name } of directive.Metrics) {
      const value = doc[Name];
      const ok =
        typeof value === 'number'
          ? Number.isFinite(value)
          : Array.isArray(value) &&
            value.length <= 100 &&
            value.every((v) => typeof v === 'number' && Number.isFinite(v));
      if (!ok) problems.push(`metric ${Name} has no numeric (or <= 100 numbers) target member on the root`);
    }
  }
  return problems;
}

export type EmfDocument = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit?: string }>;
    }>;
  };
};

/** The EMF documents among a process's stdout lines (log lines have no `_aws`). */
export function emfDocuments(stdout: string): { docs: EmfDocument[]; lines: string[] } {
  const lines = stdout.split('\n').filter((l) => l.includes('"_aws"'));
  return { docs: lines.map((l) => JSON.parse(l) as EmfDocument), lines };
}
