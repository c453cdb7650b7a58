// Cache keys: the request's canonical form hashed with sha256, prefixed with the
// model name and version. Canonical = object keys sorted, numbers printed the one
// way JSON prints them, so bodies that mean the same thing share an entry and a
// new model version never reads an older version's entries.
import { createHash } from 'node:crypto';

/**
 * Writes `value` in a canonical JSON-like form into `out`. Keys are sorted by
 * code unit; `-0` prints as `0`; `undefined` object members are skipped (as
 * JSON.stringify does); values JSON cannot hold (NaN, Infinity, bigint, undefined
 * in arrays) get their own tokens so they never collide with `null`.
 */
function write(value: unknown, out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'number':
      // String(-0) is "0"; finite numbers print in JS's shortest round-trip form.
      out.push(Number.isFinite(value) ? String(value) : `#${String(value)}`);
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'bigint':
      out.push(`#${value.toString()}n`);
      return;
    case 'undefined':
      out.push('#undefined');
      return;
    case 'object':
      break;
    default:
      // functions and symbols are not request data
      out.push(`#${typeof value}`);
      return;
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out.push(',');
      write(value[i], out);
    }
    out.push(']');
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  out.push('{');
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(key), ':');
    write(member, out);
  }
  out.push('}');
}

/** The canonical text of a parsed request body or instance list. */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  write(value, out);
  return out.join('');
}

/**
 * `<model name>:<model version>:<sha256 of the canonical form, base64url>`.
 * Name and version are URI-encoded so a `:` inside them cannot make two
 * different (name, version) pairs share a prefix.
 */
export function cacheKey(modelName: string, modelVersion: string, instancesOrBody: unknown): string {
  const digest = createHash('sha256').update(canonicalize(instancesOrBody)).digest('base64url');
  return `${encodeURIComponent(modelName)}:${encodeURIComponent(modelVersion)}:${digest}`;
}
