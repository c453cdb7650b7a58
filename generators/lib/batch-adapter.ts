// The adapter for runs without a terminal: logs like the normal one, but any question
// (in practice Yeoman's "Overwrite <file>?" conflict prompt) stops the run with a clear
// error instead of hanging on a closed stdin or silently overwriting user code.
import { QueuedAdapter, TerminalAdapter } from '@yeoman/adapter';
import { GeneratorError } from './errors.js';

function refuse(questions: unknown): never {
  const list = (Array.isArray(questions) ? questions : [questions]) as Array<{ name?: string; message?: unknown }>;
  const text = typeof list[0]?.message === 'string' ? list[0].message : String(list[0]?.name ?? 'a question');
  const file = /^Overwrite (.+)\?$/.exec(text)?.[1];
  if (file) throw new GeneratorError('MS_GEN_CONFLICT', { file });
  throw new GeneratorError('MS_GEN_NEEDS_TERMINAL', { question: text });
}

class RefusingTerminalAdapter extends TerminalAdapter {
  override async prompt(questions: unknown): Promise<never> {
    return refuse(questions);
  }
}

/** Yeoman's queued adapter around a terminal adapter that refuses to ask. */
export function batchAdapter(): QueuedAdapter {
  return new QueuedAdapter({ adapter: new RefusingTerminalAdapter() });
}
