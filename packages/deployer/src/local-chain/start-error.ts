// What a failed `npm start` said, in one line: the thrown error's own line (Node prints it between
// the source excerpt and the stack), or the runtime's `model-service: [MS_...]` line, rather
// than the stack's last frames and Node's version banner.
const ERROR_LINE = /^(?:model-service: \[MS_|[A-Za-z]*Error\b|Error \[|Uncaught )/;

export function startErrorOf(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const found = lines.find((l) => ERROR_LINE.test(l));
  if (found) return found;
  const tail = lines.filter((l) => !l.startsWith('at ') && !/^Node\.js v\d/.test(l) && !/^npm (ERR!|error)/.test(l));
  return tail.length ? tail.slice(-3).join(' | ') : undefined;
}
