// The ONNX files of models nobody here wrote, made once per version of the fixture script:
// real scikit-learn models trained on its datasets (test/fixtures/onnx/make-exporter-models.py,
// written in skl2onnx / onnxmltools / torch.onnx.export node layout with python3-onnx), and
// Debian's libonnx-testdata (the ONNX project's own node tests with reference tensors).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../generator/helpers.js';

const SCRIPT = join(ROOT, 'test', 'fixtures', 'onnx', 'make-exporter-models.py');
export const ONNX_TESTDATA = '/usr/share/libonnx-testdata/data';

/** Debian's python3 (python3-sklearn, python3-onnx), not a pyenv shim that lacks them. */
function python(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** The folder holding <name>.onnx, <name>.csv|jsonl and <name>.expected.json for each model. */
export function exporterModels(): string {
  const hash = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 12);
  const dir = join(ROOT, '.cache', 'exporter-models', hash);
  if (existsSync(join(dir, 'torch-two-inputs.expected.json'))) return dir;
  const made = spawnSync(python(), [SCRIPT, dir], { encoding: 'utf8', timeout: 300_000 });
  if (made.status !== 0) {
    throw new Error(
      `${SCRIPT} failed (exit ${made.status}); it needs python3-sklearn and python3-onnx (scripts/ensure-system-packages.sh):\n${made.stderr}`,
    );
  }
  return dir;
}

export function readExpected(dir: string, name: string): Record<string, unknown[]> {
  return JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')) as Record<string, unknown[]>;
}
