// doctor.golden on the generated example (real golden set, real compiled schema)
// and on temp projects that break it one way at a time.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { goldenCheck } from '../../src/checks/doctor-golden.js';
import { defaultCheckContext } from '../../src/checks/run-checks.js';

const CHURN = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/churn');
const SCHEMA_MODULE = `export const instanceSchema = {
  type: 'object', additionalProperties: false, required: ['x'],
  properties: { x: { type: 'number', minimum: 0 } },
};\n`;
const GOOD = '{"request":{"instances":[{"x":1}]},"response":{"predictions":[0.5]},"tolerance":1e-6}\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ms-golden-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function project(files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const run = (at: string) =>
  goldenCheck.run(defaultCheckContext({ dir: at, env: {}, skipTests: true, builder: 'docker' }));

describe('doctor.golden', () => {
  it('passes on examples/churn: its golden requests validate against the compiled input schema', async () => {
    // CI builds every workspace before Jest (scripts/setup.sh).
    expect(existsSync(join(CHURN, 'dist/prediction.js'))).toBe(true);
    const result = await run(CHURN);
    expect(result).toMatchObject({ status: 'pass' });
    expect(result.message).toMatch(/^\d+ cases, every input valid/);
  });

  it('passes on a minimal project', async () => {
    expect(await run(project({ 'tests/golden.jsonl': GOOD, 'dist/prediction.js': SCHEMA_MODULE }))).toMatchObject({
      status: 'pass',
      message: '1 case, every input valid against instanceSchema',
    });
  });

  it('fails when the file is missing, saying how to record one', async () => {
    const result = await run(project({ 'dist/prediction.js': SCHEMA_MODULE }));
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/no golden set: .*tests\/golden\.jsonl cannot be read \(ENOENT\)/);
    expect(result.fix).toMatch(/Record tests\/golden\.jsonl/);
  });

  it("fails on the generator's placeholder", async () => {
    const result = await run(
      project({
        'tests/golden.jsonl': '{"placeholder":true,"message":"replace me"}\n',
        'dist/prediction.js': SCHEMA_MODULE,
      }),
    );
    expect(result).toMatchObject({ status: 'fail' });
    expect(result.message).toMatch(/placeholder \(replace me\)/);
    expect(result.fix).toMatch(/Replace tests\/golden\.jsonl/);
  });

  it('fails on a line that is not JSON, naming the line', async () => {
    const result = await run(project({ 'tests/golden.jsonl': `${GOOD}{oops\n`, 'dist/prediction.js': SCHEMA_MODULE }));
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/golden\.jsonl:2 is not JSON/);
  });

  it('fails when an input does not validate, naming the line, the instance and the field', async () => {
    const bad = '{"request":{"instances":[{"x":1},{"x":-3}]},"response":{"predictions":[0.5,0.1]}}\n';
    const result = await run(project({ 'tests/golden.jsonl': GOOD + bad, 'dist/prediction.js': SCHEMA_MODULE }));
    expect(result.status).toBe('fail');
    expect(result.message).toBe('tests/golden.jsonl line 2: instances[1]/x must be >= 0');
    expect(result.fix).toMatch(/accepts/);
  });

  it('fails when the project is not built, saying to build it', async () => {
    const result = await run(project({ 'tests/golden.jsonl': GOOD }));
    expect(result).toMatchObject({
      status: 'fail',
      message: '1 case, but their inputs cannot be checked: dist/prediction.js not found',
    });
    expect(result.fix).toMatch(/npm run build/);
  });
});
