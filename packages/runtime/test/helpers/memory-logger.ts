// A pino logger that keeps its JSON lines in memory, so tests can read what was logged.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export function memoryLogger(level = 'info'): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level }, stream);
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines };
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
