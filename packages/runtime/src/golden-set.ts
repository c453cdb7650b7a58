// Golden sets: request bodies with the answers the trained model gave for them, replayed over
// HTTP through the real service (preprocessing included) to prove it serves the trained model.
// One JSON object per line (tests/golden.jsonl):
//   {"request": <request body>, "response": <expected response body>, "tolerance": 1e-6}
// Numbers compare within `tolerance` (absolute); everything else compares exactly.
import { readFileSync } from 'node:fs';
import { RuntimeError } from './errors.js';

export interface GoldenCase {
  /** 1-based line in the file, for messages. */
  line: number;
  /** The raw, API-shaped request body (e.g. {"instances": [...]}). */
  request: Record<string, unknown>;
  /** The response body the trained model gave. */
  response: unknown;
  /** Largest allowed absolute difference between two numbers (0 = exact). */
  tolerance: number;
}

export interface GoldenResult {
  line: number;
  ok: boolean;
  /** What differed (JSON path, expected, got), or the HTTP status when it was not 200. */
  problem?: string;
}

function invalid(source: string, line: number, detail: string): RuntimeError {
  return new RuntimeError('MS_RUNTIME_GOLDEN_SET_INVALID', { source, line, detail });
}

/** Parses golden-set text; throws MS_RUNTIME_GOLDEN_SET_INVALID naming the file and line. */
export function parseGoldenSet(text: string, source = 'golden.jsonl'): GoldenCase[] {
  const cases: GoldenCase[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw invalid(source, i + 1, `not JSON (${err instanceof Error ? err.message.slice(0, 80) : 'parse error'})`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw invalid(source, i + 1, 'a line must be a JSON object');
    const entry = value as Record<string, unknown>;
    if (!entry.request || typeof entry.request !== 'object' || Array.isArray(entry.request)) {
      throw invalid(source, i + 1, '"request" must be the request body object, e.g. {"instances": [[...]]}');
    }
    if (!('response' in entry)) throw invalid(source, i + 1, '"response" (the expected response body) is missing');
    const tolerance = entry.tolerance ?? 0;
    if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
      throw invalid(source, i + 1, `"tolerance" must be a number >= 0, got ${JSON.stringify(entry.tolerance)}`);
    }
    cases.push({ line: i + 1, request: entry.request as Record<string, unknown>, response: entry.response, tolerance });
  }
  if (cases.length === 0)
    throw invalid(source, 1, 'the file has no cases; record at least one request with its answer');
  return cases;
}

/** Reads and parses a golden-set file (see parseGoldenSet). */
export function readGoldenSet(path: string): GoldenCase[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(path, 0, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseGoldenSet(text, path);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The first difference between an expected and an actual body, as
 * `<path>: expected <x>, got <y>`, or undefined when they match (numbers within `tolerance`).
 */
export function compareGolden(
  expected: unknown,
  actual: unknown,
  tolerance: number,
  path = 'body',
): string | undefined {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const diff = Math.abs(expected - actual);
    return diff <= tolerance
      ? undefined
      : `${path}: expected ${expected}, got ${actual} (difference ${diff.toPrecision(3)} > tolerance ${tolerance})`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${show(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} items, got ${actual.length}`;
    for (let i = 0; i < expected.length; i += 1) {
      const problem = compareGolden(expected[i], actual[i], tolerance, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `${path}: expected an object, got ${show(actual)}`;
    const want = expected as Record<string, unknown>;
    const got = actual as Record<string, unknown>;
    for (const key of Object.keys(want)) {
      if (!(key in got)) return `${path}.${key}: missing`;
      const problem = compareGolden(want[key], got[key], tolerance, `${path}.${key}`);
      if (problem) return problem;
    }
    for (const key of Object.keys(got))
      if (!(key in want)) return `${path}.${key}: not expected, got ${show(got[key])}`;
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

export interface ReplayOptions {
  /** Route to POST to (default /invocations). */
  path?: string;
  /** Extra headers (e.g. authorization). */
  headers?: Record<string, string>;
}

/** POSTs every case to `baseUrl` + path (one at a time) and compares each 200 answer. */
export async function replayGoldenSet(
  baseUrl: string,
  cases: GoldenCase[],
  options: ReplayOptions = {},
): Promise<GoldenResult[]> {
  const url = `${baseUrl.replace(/\/+$/, '')}${options.path ?? '/invocations'}`;
  const results: GoldenResult[] = [];
  for (const c of cases) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(c.request),
    });
    const text = await res.text();
    if (res.status !== 200) {
      results.push({ line: c.line, ok: false, problem: `HTTP ${res.status}: ${text.slice(0, 200)}` });
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      results.push({ line: c.line, ok: false, problem: `the answer is not JSON: ${text.slice(0, 200)}` });
      continue;
    }
    const problem = compareGolden(c.response, body, c.tolerance);
    results.push(problem ? { line: c.line, ok: false, problem } : { line: c.line, ok: true });
  }
  return results;
}
