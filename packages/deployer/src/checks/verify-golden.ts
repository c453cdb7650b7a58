// The golden set, replayed through the deployed API: tests/golden.jsonl holds
// raw request bodies with the answers the trained model gave for them, one
//   {"request": <body>, "response": <expected body>, "tolerance": 1e-6}
// per line (a first line with "placeholder": true means "not filled in yet").
// A stub loader, a skipped preprocessing step or other weights answer with
// plausible bodies that pass every health check; they do not pass this.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CheckResult } from './check.js';
import type { ProbeResult } from './verify-probe.js';

export const GOLDEN_FILE = 'tests/golden.jsonl';
/** Used when a line gives no tolerance: exact, as the runtime's golden-set parser compares it (one meaning everywhere). */
export const DEFAULT_GOLDEN_TOLERANCE = 0;
/** Bounded: a golden set is a handful of requests, not a load test. */
export const MAX_GOLDEN_LINES = 200;

export interface GoldenLine {
  /** 1-based line number in the file. */
  line: number;
  request: unknown;
  response: unknown;
  tolerance: number;
}

export type GoldenSet =
  | { kind: 'ok'; path: string; lines: GoldenLine[] }
  | { kind: 'missing' | 'placeholder' | 'invalid'; path: string; reason: string };

/** Reads and checks the file; never throws (a bad file is a failed check, not a crash). */
export async function loadGoldenSet(dir: string, file?: string): Promise<GoldenSet> {
  const path = file ? resolve(dir, file) : join(dir, GOLDEN_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return {
      kind: 'missing',
      path,
      reason: `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    };
  }
  const rows = text
    .split('\n')
    .map((t, i) => ({ line: i + 1, text: t.trim() }))
    .filter((r) => r.text !== '');
  if (rows.length === 0) return { kind: 'invalid', path, reason: `${path} is empty` };
  if (rows.length > MAX_GOLDEN_LINES)
    return {
      kind: 'invalid',
      path,
      reason: `${path} has ${rows.length} lines; at most ${MAX_GOLDEN_LINES} are replayed by verify`,
    };
  const lines: GoldenLine[] = [];
  for (const { line, text: row } of rows) {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(row) as Record<string, unknown>;
    } catch {
      return { kind: 'invalid', path, reason: `${path}:${line} is not JSON` };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { kind: 'invalid', path, reason: `${path}:${line} is not a JSON object` };
    if (value.placeholder === true) {
      return {
        kind: 'placeholder',
        path,
        reason: `${path} is still the generator's placeholder${typeof value.message === 'string' ? ` (${value.message})` : ''}`,
      };
    }
    if (!('request' in value) || !('response' in value))
      return { kind: 'invalid', path, reason: `${path}:${line} needs "request" and "response"` };
    const tolerance = value.tolerance ?? DEFAULT_GOLDEN_TOLERANCE;
    if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
      return { kind: 'invalid', path, reason: `${path}:${line} "tolerance" must be a number >= 0` };
    }
    lines.push({ line, request: value.request, response: value.response, tolerance });
  }
  return { kind: 'ok', path, lines };
}

/** The first place `actual` differs from `expected` (numbers within `tolerance`), or undefined. */
export function goldenMismatch(expected: unknown, actual: unknown, tolerance: number, path = '$'): string | undefined {
  if (typeof expected === 'number') {
    return typeof actual === 'number' && Math.abs(actual - expected) <= tolerance
      ? undefined
      : `${path}: expected ${expected} (±${tolerance}), served ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return `${path}: expected ${expected.length} items, served ${JSON.stringify(actual)?.slice(0, 120)}`;
    for (let i = 0; i < expected.length; i += 1) {
      const found = goldenMismatch(expected[i], actual[i], tolerance, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `${path}: expected an object, served ${JSON.stringify(actual)?.slice(0, 120)}`;
    // Extra fields in the answer count too: a fallback flags itself with `source`.
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const found = goldenMismatch(
        (expected as Record<string, unknown>)[key],
        (actual as Record<string, unknown>)[key],
        tolerance,
        `${path}.${key}`,
      );
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(expected, actual)
    ? undefined
    : `${path}: expected ${JSON.stringify(expected)}, served ${JSON.stringify(actual)}`;
}

/** Replays every line (one at a time, in order) and reports the first differences. */
export async function runGoldenCheck(
  golden: GoldenSet | undefined,
  send: (body: string) => Promise<ProbeResult>,
): Promise<CheckResult> {
  const fixFile = `Write ${GOLDEN_FILE}: one {"request", "response", "tolerance"} line per request, with the answers the trained model gave (\`model-deploy doctor\` checks it as doctor.golden); --skip-golden only for experiments (promote refuses such a verify).`;
  if (!golden)
    return { status: 'skip', message: 'skipped by --skip-golden (promote will refuse this environment as its source)' };
  if (golden.kind !== 'ok') return { status: 'fail', message: golden.reason, fix: fixFile };
  const failures: string[] = [];
  for (const line of golden.lines) {
    const res = await send(JSON.stringify(line.request));
    if (res.status !== 200) {
      failures.push(
        `line ${line.line}: HTTP ${res.status || `no answer (${res.error ?? 'network error'})`} ${res.body.slice(0, 160)}`,
      );
      continue;
    }
    let served: unknown;
    try {
      served = JSON.parse(res.body);
    } catch {
      failures.push(`line ${line.line}: the answer is not JSON: ${res.body.slice(0, 120)}`);
      continue;
    }
    const diff = goldenMismatch(line.response, served, line.tolerance);
    if (diff) failures.push(`line ${line.line}: ${diff}`);
  }
  const total = golden.lines.length;
  if (failures.length === 0)
    return { status: 'pass', message: `${total}/${total} golden answers match (${golden.path})` };
  return {
    status: 'fail',
    message: `${failures.length}/${total} golden answers differ: ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? `; ... ${failures.length - 3} more` : ''}`,
    fix: 'The deployed model is not the trained one, or its preprocessing differs: check the image digest and model artifact (model.sha256 in release.yaml), then redeploy. If you retrained on purpose, regenerate the golden set.',
  };
}
