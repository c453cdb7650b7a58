// Records tests/golden.jsonl from the committed model file (training side, no service).
// Run after training: npm run build && npm run golden (in examples/iris). Deterministic.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildGoldenSet, goldenText } from '../src/golden.js';
import { readIrisCsv, splitIris } from '../src/iris-data.js';
import { checkModelFile } from '../src/logistic-regression.js';
import { GOLDEN_PATH, MODEL_PATH } from '../src/paths.js';

const params = checkModelFile(JSON.parse(readFileSync(MODEL_PATH, 'utf8')), MODEL_PATH);
const lines = buildGoldenSet(params, splitIris(readIrisCsv()).heldOut);
mkdirSync(dirname(GOLDEN_PATH), { recursive: true });
writeFileSync(GOLDEN_PATH, goldenText(lines));
console.log(`wrote ${GOLDEN_PATH}: ${lines.length} cases from model version ${params.version}`);
