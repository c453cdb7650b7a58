// The AWS calls a test made, read from aws-sdk-client-mock's call history: the
// client's service id, the operation and its input, and the operation's HTTP
// binding from the command's own schema (API Gateway authorizes by HTTP verb and
// path). Works on any stub, whatever the call site looks like.
import type { AwsStub } from 'aws-sdk-client-mock';

export interface RecordedCall {
  /** The SDK client's serviceId ("SageMaker", "API Gateway", ...). */
  serviceId: string;
  /** "DescribeEndpoint" */
  operation: string;
  input: Record<string, unknown>;
  /** [method, path template] when the operation has an HTTP binding trait. */
  http?: [string, string];
  /** sinon's global call order. */
  order: number;
}

type Schema = [number, string, string, { http?: [string, string, number] }, ...unknown[]];

export function recordedCalls(stubs: Iterable<AwsStub<any, any, any>>): RecordedCall[] {
  const out: RecordedCall[] = [];
  for (const stub of stubs) {
    for (const call of stub.calls()) {
      const command = call.args[0] as {
        input?: Record<string, unknown>;
        schema?: Schema;
        constructor: { name: string };
      };
      const client = (call as unknown as { thisValue?: { config?: { serviceId?: string } } }).thisValue;
      const serviceId = client?.config?.serviceId;
      if (!serviceId) throw new Error(`cannot tell which service ${command.constructor.name} was sent to`);
      const http = command.schema?.[3]?.http;
      out.push({
        serviceId,
        operation: command.constructor.name.replace(/Command$/, ''),
        input: command.input ?? {},
        ...(http ? { http: [http[0], http[1]] as [string, string] } : {}),
        order: (call as unknown as { callId: number }).callId,
      });
    }
  }
  return out.sort((a, b) => a.order - b.order);
}
