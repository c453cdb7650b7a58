// Output of a child process, one line at a time with a `[name] ` prefix, as docker-compose shows
// its services: a chunk may end mid-line, so the unfinished tail waits for the next chunk.
export interface LineWriter {
  write(chunk: string): unknown;
}

export function prefixLines(prefix: string, out: LineWriter): { push(chunk: Buffer | string): void; flush(): void } {
  let pending = '';
  return {
    push(chunk) {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) out.write(`${prefix} ${line}\n`);
    },
    flush() {
      if (pending.trim()) out.write(`${prefix} ${pending}\n`);
      pending = '';
    },
  };
}
