// `model-service init [name] [flags]` without a global `yo`: runs the same generator through
// yeoman-environment. Interactive on a TTY; `--yes` takes defaults for what flags leave
// open. Without a TTY a conflicting file stops the run (use --force) instead of hanging
// (lib/batch-adapter.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GeneratorError } from './errors.js';
import { exitFor } from './exit.js';
import { FLAGS } from './options.js';
import { checkoutRoot } from './vendor-packages.js';

const APP = join(dirname(fileURLToPath(import.meta.url)), '..', 'app', 'index.js');
const EXTRA_BOOLEANS = ['force', 'skip-install', 'skip-git', 'help'];

/** Two columns, the second starting two spaces after the longest flag. */
function helpRows(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`).join('\n');
}

export const USAGE = `Usage: model-service init [name] [flags]

Scaffolds a model service (runtime, tests, Dockerfile, release.yaml, CI) into ./<name>.

Flags:
${helpRows([...FLAGS.map((f): [string, string] => [`--${f.name}${f.type === Boolean ? '' : ' <value>'}`, f.description]), ['--force', 'Overwrite files that differ without asking'], ['--skip-install', 'Do not run npm install'], ['--skip-git', 'Do not make the new project a git repository with a first commit']])}

Examples:
  model-service init churn --yes
  model-service init churn --yes --environments dev,prod --instance-count dev=1,prod=3 --ci circleci
  model-service init churn --yes --cache redis --vpc-subnets subnet-0a1b2c3d,subnet-4e5f6a7b --vpc-security-groups sg-0a1b2c3d
`;

export interface ParsedArgs {
  command?: string;
  positionals: string[];
  options: Record<string, string | boolean>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const known = new Map(FLAGS.map((f) => [f.name, f.type === Boolean]));
  for (const b of EXTRA_BOOLEANS) known.set(b, true);
  const out: ParsedArgs = { positionals: [], options: {} };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '-h') {
      out.options.help = true;
    } else if (arg.startsWith('--')) {
      const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const negated = rawName.startsWith('no-') && known.get(rawName.slice(3)) === true;
      const name = negated ? rawName.slice(3) : rawName;
      const isBoolean = known.get(name);
      if (isBoolean === undefined)
        throw new GeneratorError('MS_GEN_UNKNOWN_FLAG', { flag: `--${name}`, command: out.command ?? 'init' });
      if (isBoolean) {
        // Yeoman reads its own switches camelCased (skipInstall).
        const key = EXTRA_BOOLEANS.includes(name) ? name.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()) : name;
        out.options[key] = negated ? false : inline === undefined ? true : inline !== 'false';
      } else {
        const value = inline ?? argv[i + 1];
        if (inline === undefined) i += 1;
        if (value === undefined || (inline === undefined && value.startsWith('--'))) {
          throw new GeneratorError('MS_GEN_INVALID_FLAG', {
            flag: name,
            value: '',
            problem: 'it needs a value',
            allowed: FLAGS.find((f) => f.name === name)!.description,
          });
        }
        out.options[name] = value;
      }
    } else if (out.command === undefined) {
      out.command = arg;
    } else {
      out.positionals.push(arg);
    }
  }
  return out;
}

export interface RunOptions {
  cwd?: string;
  interactive?: boolean;
}

/** Runs `model-service <argv>`; resolves to the process exit code. */
export async function main(
  argv: string[],
  { cwd = process.cwd(), interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) }: RunOptions = {},
): Promise<number> {
  try {
    const { command, positionals, options } = parseArgs(argv);
    if (options.help === true || command === undefined || command === 'help') {
      process.stdout.write(USAGE);
      return command === undefined && !options.help ? 1 : 0;
    }
    if (command !== 'init') throw new GeneratorError('MS_GEN_UNKNOWN_COMMAND', { command });
    // Loaded only for `init`: --help and argument errors answer without Yeoman's start-up cost.
    const [{ createEnv }, { batchAdapter }] = await Promise.all([
      import('yeoman-environment'),
      import('./batch-adapter.js'),
    ]);
    const env = createEnv(interactive ? { cwd } : { cwd, adapter: batchAdapter() });
    env.register(APP, { namespace: 'model-service:app' });
    const runOptions: Record<string, unknown> = { ...options };
    // From a checkout, @model-service/* are packed from it (they may not be on a registry).
    if (runOptions.packages === undefined && checkoutRoot() !== undefined) runOptions.packages = 'checkout';
    await env.run(['model-service:app', 'init', ...positionals], runOptions as never);
    return 0;
  } catch (err) {
    const exit = exitFor(err);
    process.stderr.write(exit.text);
    return exit.code;
  }
}
