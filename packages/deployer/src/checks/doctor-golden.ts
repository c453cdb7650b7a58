// doctor.golden: the golden set (tests/golden.jsonl) is there, is filled in, and
// its requests are ones the service accepts. verify.golden replays it through
// the deployed API and promote refuses without it, so a missing or placeholder
// file found here saves a deploy that could never be promoted.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Check, CheckResult } from './check.js';
import { GOLDEN_FILE, loadGoldenSet } from './verify-golden.js';

/** Where a generated project's compiled prediction module (with `instanceSchema`) lives after `npm run build`. */
export const COMPILED_PREDICTION = 'dist/prediction.js';

async function compiledInstanceSchema(dir: string): Promise<{ schema?: object; problem?: string }> {
  const file = join(dir, COMPILED_PREDICTION);
  try {
    await access(file);
  } catch {
    return { problem: `${COMPILED_PREDICTION} not found` };
  }
  try {
    const mod = (await import(pathToFileURL(file).href)) as { instanceSchema?: unknown };
    if (!mod.instanceSchema || typeof mod.instanceSchema !== 'object')
      return { problem: `${COMPILED_PREDICTION} exports no instanceSchema` };
    return { schema: mod.instanceSchema };
  } catch (err) {
    return { problem: `${COMPILED_PREDICTION} cannot be imported (${(err as Error).message.split('\n')[0]})` };
  }
}

/** The first golden request whose instances do not match the input schema, or undefined. */
function firstInvalid(validate: ValidateFunction, lines: { line: number; request: unknown }[]): string | undefined {
  for (const { line, request } of lines) {
    const instances = (request as { instances?: unknown } | null)?.instances;
    if (!Array.isArray(instances) || instances.length === 0) return `line ${line}: the request has no "instances" list`;
    for (let i = 0; i < instances.length; i += 1) {
      if (!validate(instances[i])) {
        const e = validate.errors?.[0];
        return `line ${line}: instances[${i}]${e?.instancePath ?? ''} ${e?.message ?? 'does not match the input schema'}`;
      }
    }
  }
  return undefined;
}

export const goldenCheck: Check = {
  id: 'doctor.golden',
  title: 'golden set present, filled in, and valid input',
  description: `${GOLDEN_FILE} exists, is not the generator's placeholder, parses, and every request's instances validate against the compiled input schema (${COMPILED_PREDICTION}).`,
  async run(ctx): Promise<CheckResult> {
    const set = await loadGoldenSet(ctx.dir);
    const cases = (n: number) => `${n} case${n === 1 ? '' : 's'}`;
    if (set.kind !== 'ok') {
      const fix = {
        missing: `Record ${GOLDEN_FILE}: one {"request","response","tolerance"} line per request, with the answers your trained model gives (the generator writes one for its starter model).`,
        placeholder: `Replace ${GOLDEN_FILE} with real requests and the outputs your trained model gave for them; verify replays it before promote.`,
        invalid: `Fix ${GOLDEN_FILE}: one JSON object per line with "request", "response" and an optional numeric "tolerance".`,
      }[set.kind];
      return { status: 'fail', message: set.kind === 'missing' ? `no golden set: ${set.reason}` : set.reason, fix };
    }
    const { schema, problem } = await compiledInstanceSchema(ctx.dir);
    if (!schema) {
      return {
        status: 'fail',
        message: `${cases(set.lines.length)}, but their inputs cannot be checked: ${problem}`,
        fix: 'Run `npm run build` in the project (doctor reads instanceSchema from the compiled src/prediction.ts).',
      };
    }
    let validate: ValidateFunction;
    try {
      validate = new Ajv({ allErrors: false, strict: false }).compile(schema);
    } catch (err) {
      return {
        status: 'fail',
        message: `the input schema does not compile: ${(err as Error).message}`,
        fix: 'Fix instanceSchema in src/prediction.ts.',
      };
    }
    const bad = firstInvalid(validate, set.lines);
    if (bad)
      return {
        status: 'fail',
        message: `${GOLDEN_FILE} ${bad}`,
        fix: 'Golden requests must be ones the service accepts: re-record them from valid inputs.',
      };
    return { status: 'pass', message: `${cases(set.lines.length)}, every input valid against instanceSchema` };
  },
};
