// Progress for long applies: listr2's live task list on an interactive terminal,
// plain lines without ANSI codes otherwise (CI logs, pipes, `--json`).
import { Listr } from 'listr2';

export interface ProgressStep {
  title: string;
  /** Resolves with an optional short note shown next to the finished step. */
  run(): Promise<string | void>;
}

export interface ProgressReporter {
  readonly mode: ProgressMode;
  /** Runs the steps in order; stops at (and rethrows) the first failure. */
  run(steps: readonly ProgressStep[]): Promise<void>;
}

export type ProgressMode = 'live' | 'plain' | 'silent';

export interface ProgressModeInput {
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  json?: boolean;
  quiet?: boolean;
}

export function progressMode({ isTTY, env, json, quiet }: ProgressModeInput): ProgressMode {
  if (quiet) return 'silent';
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return isTTY && !ci && !json ? 'live' : 'plain';
}

export interface Writer {
  write(chunk: string): unknown;
}

function plainReporter(out: Writer): ProgressReporter {
  return {
    mode: 'plain',
    async run(steps) {
      const total = steps.length;
      for (const [i, step] of steps.entries()) {
        const tag = `[${i + 1}/${total}]`;
        out.write(`${tag} ${step.title} ...\n`);
        const started = Date.now();
        try {
          const note = await step.run();
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          out.write(`${tag} ${step.title}: done${note ? ` (${note})` : ''} in ${secs}s\n`);
        } catch (err) {
          out.write(`${tag} ${step.title}: FAILED\n`);
          throw err;
        }
      }
    },
  };
}

function liveReporter(): ProgressReporter {
  return {
    mode: 'live',
    async run(steps) {
      const list = new Listr(
        steps.map((step) => ({
          title: step.title,
          task: async (_ctx: unknown, task: { title: string }) => {
            const note = await step.run();
            if (note) task.title = `${step.title} (${note})`;
          },
        })),
        { exitOnError: true, concurrent: false, rendererOptions: { collapseErrors: false } },
      );
      await list.run();
    },
  };
}

/** Runs the steps and shows nothing (the modules still log through ctx.log). */
export const silentProgress: ProgressReporter = {
  mode: 'silent',
  async run(steps) {
    for (const step of steps) await step.run();
  },
};

export function createProgress(mode: ProgressMode, out: Writer): ProgressReporter {
  if (mode === 'live') return liveReporter();
  if (mode === 'plain') return plainReporter(out);
  return silentProgress;
}
