#!/usr/bin/env node
// Trains the tiny logistic regression every generated project ships with (templates/model/model.json),
// on a synthetic churn data set drawn from a fixed seed, so the weights are reproducible:
//   node generators/scripts/train-stub-model.mjs > templates/model/model.json
const FEATURES = ['tenureMonths', 'monthlyCharges', 'supportCalls', 'contractMonths'];

let seed = 42;
const rand = () => (seed = (seed * 1664525 + 1013904223) % 4294967296) / 4294967296;
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

function sample() {
  const tenureMonths = Math.floor(rand() * 72);
  const monthlyCharges = 18 + rand() * 100;
  const supportCalls = Math.floor(rand() * 8);
  const contractMonths = [1, 12, 24][Math.floor(rand() * 3)];
  const logit =
    0.5 - 0.05 * tenureMonths + 0.025 * monthlyCharges + 0.45 * supportCalls - 0.09 * contractMonths + 0.5 * gauss();
  return { x: [tenureMonths, monthlyCharges, supportCalls, contractMonths], y: logit > 0 ? 1 : 0 };
}

const data = Array.from({ length: 4000 }, sample);
const train = data.slice(0, 3000);
const test = data.slice(3000);
const n = FEATURES.length;
const means = FEATURES.map((_, j) => train.reduce((s, r) => s + r.x[j], 0) / train.length);
const scales = FEATURES.map((_, j) =>
  Math.sqrt(train.reduce((s, r) => s + (r.x[j] - means[j]) ** 2, 0) / train.length),
);
const z = (x) => x.map((v, j) => (v - means[j]) / scales[j]);
const sigmoid = (t) => 1 / (1 + Math.exp(-t));

let w = new Array(n).fill(0);
let b = 0;
for (let epoch = 0; epoch < 500; epoch += 1) {
  const gw = new Array(n).fill(0);
  let gb = 0;
  for (const r of train) {
    const xs = z(r.x);
    const err = sigmoid(xs.reduce((s, v, j) => s + v * w[j], b)) - r.y;
    xs.forEach((v, j) => (gw[j] += err * v));
    gb += err;
  }
  w = w.map((wj, j) => wj - (0.5 * gw[j]) / train.length);
  b -= (0.5 * gb) / train.length;
}
const accuracy =
  test.filter((r) => (sigmoid(z(r.x).reduce((s, v, j) => s + v * w[j], b)) >= 0.5 ? 1 : 0) === r.y).length /
  test.length;
const round = (v) => Math.round(v * 1e6) / 1e6;
process.stdout.write(
  `${JSON.stringify(
    {
      format: 'logistic-regression/v1',
      version: '1.0.0',
      description:
        'Churn risk from 4 account features; trained on 3000 synthetic accounts (generators/scripts/train-stub-model.mjs).',
      features: FEATURES,
      means: means.map(round),
      scales: scales.map(round),
      coefficients: w.map(round),
      intercept: round(b),
      threshold: 0.5,
      heldOutAccuracy: round(accuracy),
    },
    null,
    2,
  )}\n`,
);
