// The second layer on every client's `send`, outside the retry layer: an SDK
// error that survives the retries leaves `send` already wrapped with a deployer
// code, the operation and the resource, so a call site is a bare
// `client.send(new XCommand(...))` and no raw SDK error can reach the user.
import { AwsCallError, wrapAwsError } from './aws-error.js';

type Sendable = { send: (...args: never[]) => unknown };
type Command = { constructor: { name: string }; input?: Record<string, unknown> };

// Input fields that name what a call acts on: names first, then ids and ARNs.
const NAME_KEY = /Names?$/;
const ID_KEY = /(Id|Ids|Arn|Identifier)$/i;
const NOT_A_RESOURCE = new Set(['AccountId']);
/** "DescribeEndpointCommand" -> "DescribeEndpoint". */
export function operationOf(command: unknown): string {
  const name = (command as Command | undefined)?.constructor?.name ?? 'AWS call';
  return name.replace(/Command$/, '');
}

// Calls whose input names nothing.
const RESOURCE_OF_OPERATION: Readonly<Record<string, string>> = { GetCallerIdentity: 'the current AWS identity' };

/** The first identifying input field (EndpointName, FunctionName, restApiId, ...), else the service. */
export function resourceOf(command: unknown, service: string): string {
  const known = RESOURCE_OF_OPERATION[operationOf(command)];
  if (known) return known;
  const input = (command as Command | undefined)?.input ?? {};
  for (const pattern of [NAME_KEY, ID_KEY]) {
    for (const [key, value] of Object.entries(input)) {
      if (NOT_A_RESOURCE.has(key) || !pattern.test(key)) continue;
      if (typeof value === 'string' && value) return value;
      if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))
        return value.join(', ');
    }
  }
  return service;
}

/** Wraps `client.send` (as installed so far, e.g. with retry) so every rejection is an `AwsCallError`. */
export function installErrorWrapping<C extends Sendable>(client: C, service: string): C {
  const inner = (client.send as (...args: unknown[]) => Promise<unknown>).bind(client);
  const send = (...args: unknown[]) => {
    if (typeof args[args.length - 1] === 'function') return inner(...args); // callback style: untouched
    return inner(...args).catch((err: unknown) => {
      if (err instanceof AwsCallError) throw err;
      throw wrapAwsError(err, { action: operationOf(args[0]), resource: resourceOf(args[0], service) });
    });
  };
  Object.defineProperty(client, 'send', { value: send, writable: true, configurable: true, enumerable: false });
  return client;
}
