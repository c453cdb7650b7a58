// Files the example ships, resolved from the module's own location: src/ under Jest (ts-jest),
// dist/src/ once built, so both find the same committed data and model.
import { fileURLToPath } from 'node:url';
import { dirname, join, sep } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const built = here.endsWith(`${sep}dist${sep}src`);

/** examples/iris */
export const EXAMPLE_ROOT = built ? join(here, '..', '..') : join(here, '..');
export const DATA_PATH = join(EXAMPLE_ROOT, 'data', 'iris.csv');
export const MODEL_PATH = join(EXAMPLE_ROOT, 'model', 'iris-model.json');
/** The golden set: request bodies with the answers the trained model gave (tests/golden.jsonl). */
export const GOLDEN_PATH = join(EXAMPLE_ROOT, 'tests', 'golden.jsonl');
