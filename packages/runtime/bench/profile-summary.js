// Summarises V8 .cpuprofile files (from `node --cpu-prof`): self time by package / file and the
// hottest functions, so a bench run says where the runtime's CPU time goes.
// Usage: node bench/profile-summary.js <dir-or-file.cpuprofile>
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function where(url) {
  if (!url) return '(native / GC / idle)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const dist = url.indexOf('/packages/runtime/dist/');
  if (dist !== -1) return `runtime ${url.slice(dist + '/packages/runtime/dist/'.length)}`;
  return url.replace(/^file:\/\/.*\/(packages|examples)\//, '$1/');
}

export function summarizeProfiles(path, top = 25) {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(path, f))
    : [path];
  const byPlace = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8'));
    const interval = (profile.endTime - profile.startTime) / Math.max(profile.samples.length, 1);
    for (const node of profile.nodes) {
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)' || functionName === '(program)') continue;
      const us = (node.hitCount ?? 0) * interval;
      if (us === 0) continue;
      total += us;
      const place = where(url);
      byPlace.set(place, (byPlace.get(place) ?? 0) + us);
      const fn = `${functionName || '(anonymous)'}  ${place}${url ? `:${lineNumber + 1}` : ''}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    }
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [
    `CPU self time (busy samples, ${files.length} profile${files.length === 1 ? '' : 's'}, ${(total / 1e6).toFixed(1)} s)`,
    '',
    'by package / file:',
  ];
  for (const [k, v] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 20)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('', 'hottest functions:');
  for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.argv[2]) {
    console.error('usage: node bench/profile-summary.js <dir-or-file.cpuprofile>');
    process.exit(2);
  }
  console.log(summarizeProfiles(process.argv[2]));
}
