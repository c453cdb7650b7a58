// Request bodies for the benchmark. "miss" bodies are all distinct (a counter moves one feature
// by 1e-6 cm), so a cache never answers them; "hit" bodies repeat one request.
import { readFileSync } from 'node:fs';

const CSV = new URL('../../../examples/iris/data/iris.csv', import.meta.url);

/** The first `n` rows of the committed iris CSV, as arrays of 4 numbers. */
export function irisRows(n) {
  const lines = readFileSync(CSV, 'utf8').trim().split('\n').slice(1);
  return Array.from({ length: n }, (_, i) => lines[i % lines.length].split(',').slice(0, 4).map(Number));
}

export function fixedBody(rows) {
  return JSON.stringify({ instances: irisRows(rows) });
}

/** A function that returns a new, never-repeated body (for 4 million calls) on each call. */
export function distinctBodies(rows) {
  const rest = irisRows(rows);
  const tail = JSON.stringify(rest).slice(1); // '[a,b,c,d],[...]]' of all rows
  const firstRowTail = JSON.stringify(rest[0].slice(1)).slice(1); // 'b,c,d]'
  const afterFirst = tail.slice(JSON.stringify(rest[0]).length); // ',[...],...]' or ']'
  let i = 0;
  return () => {
    i = (i + 1) % 4_000_000;
    const first = (4 + i / 1_000_000).toFixed(6);
    return `{"instances":[[${first},${firstRowTail}${afterFirst}}`;
  };
}
