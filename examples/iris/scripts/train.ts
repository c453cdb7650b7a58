// Trains the iris model on data/iris.csv and writes model/iris-model.json.
// Run: npm run build && npm run train (in examples/iris). Deterministic: same data, same file.
import { writeFileSync } from 'node:fs';
import { readIrisCsv } from '../src/iris-data.js';
import { MODEL_PATH } from '../src/paths.js';
import { trainIrisModel } from '../src/training.js';

const model = trainIrisModel(readIrisCsv());
writeFileSync(MODEL_PATH, `${JSON.stringify(model, null, 2)}\n`);
const t = model.training;
console.log(
  `wrote ${MODEL_PATH}\n  version ${model.version}\n  train accuracy ${t.trainAccuracy.toFixed(3)} (${t.trainRows} rows), ` +
    `held-out accuracy ${t.heldOutAccuracy.toFixed(3)} (${t.heldOutRows} rows), train loss ${t.trainLoss.toFixed(4)}`,
);
