import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { unzipSync } from 'fflate';
import { bundleLambda, codeSha256 } from '../src/lambda-bundle.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, 'fixtures', 'handler-echo', 'handler.ts');
const tmp = mkdtempSync(join(tmpdir(), 'ms-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bundleLambda', () => {
  it('produces one index.js that exports a working handler', async () => {
    const bundle = await bundleLambda({ entry: fixture });
    expect(bundle.handler).toBe('index.handler');
    const files = unzipSync(bundle.zip);
    expect(Object.keys(files)).toEqual(['index.js']);
    const out = join(tmp, 'index.cjs');
    writeFileSync(out, files['index.js']!);
    const mod = createRequire(import.meta.url)(out) as { handler: (e: unknown) => Promise<{ body: string }> };
    await expect(mod.handler({ name: 'iris' })).resolves.toEqual({ statusCode: 200, body: 'hello iris' });
  });

  it('gives identical bytes for identical sources, even from another directory', async () => {
    const a = await bundleLambda({ entry: fixture });
    const copy = join(tmp, 'elsewhere');
    cpSync(dirname(fixture), copy, { recursive: true });
    const b = await bundleLambda({ entry: join(copy, 'handler.ts') });
    expect(Buffer.from(b.zip).equals(Buffer.from(a.zip))).toBe(true);
    expect(b.sha256).toBe(a.sha256);
  });

  it('changes the hash when the source changes', async () => {
    const dir = join(tmp, 'changed');
    cpSync(dirname(fixture), dir, { recursive: true });
    writeFileSync(join(dir, 'greet.ts'), 'export function greet(name: string): string { return `hi ${name}`; }\n');
    const a = await bundleLambda({ entry: fixture });
    const b = await bundleLambda({ entry: join(dir, 'handler.ts') });
    expect(b.sha256).not.toBe(a.sha256);
  });

  it('reports the sha256 in the base64 form Lambda uses for CodeSha256', async () => {
    const bundle = await bundleLambda({ entry: fixture });
    expect(bundle.sha256).toBe(createHash('sha256').update(bundle.zip).digest('base64'));
    expect(codeSha256(new Uint8Array([1, 2, 3]))).toBe('A5BYxvLAy0ksUzsKTRTvd8wPeKvMztUofYShogEc+4E=');
  });

  it('fails with a clear error when the entry does not exist', async () => {
    await expect(bundleLambda({ entry: join(tmp, 'missing.ts') })).rejects.toThrow(/handler not found/);
  });
});
