// How a run of the generator ends when something stops it: the exit code and the one paragraph
// on stderr. Used by our bin's top-level catch and, under `yo`, by the generator itself (yo
// would pass our string codes to process.exit and crash with ERR_INVALID_ARG_TYPE).
import { GeneratorError } from './errors.js';

export interface Exit {
  code: number;
  text: string;
}

export function exitFor(err: unknown): Exit {
  // Ctrl-C at a prompt: the user chose to stop; exit as a shell does on SIGINT, quietly.
  const name = (err as Error | undefined)?.name;
  if (name === 'ExitPromptError' || name === 'AbortPromptError') return { code: 130, text: '\n' };
  if (err instanceof GeneratorError && err.userFault) return { code: 2, text: `model-service: ${err.message}\n` };
  const e = err as Error | undefined;
  return { code: 1, text: `model-service: failed (this is a bug, please report it): ${e?.stack ?? String(err)}\n` };
}

/** True in a process that `yo` started (its bin, or yo/lib/cli.js run by node). */
export function runByYo(argv1 = process.argv[1] ?? ''): boolean {
  return /(?:^|[\\/])yo(?:[\\/]lib[\\/]cli\.js)?$/.test(argv1);
}
