// docs/errors.md's reference: every code of every package's error table, read through the
// tables' exported objects (whatever shape an entry has: a message string, or an object with
// message, status, fault / userFault and hint), plus the notes that say when each appears.
import { ERRORS as DEPLOYER_ERRORS } from '../../packages/deployer/src/errors.js';
import { PROXY_ERRORS } from '../../packages/deployer/src/lambda-proxy/errors.js';
import { CACHE_ERROR_CODES } from '../../packages/runtime/src/cache/cache-errors.js';
import { ERRORS as RUNTIME_ERRORS } from '../../packages/runtime/src/errors.js';
import { MICRO_BATCHER_ERROR_CODES } from '../../packages/runtime/src/micro-batcher.js';
import { ERRORS as GENERATOR_ERRORS } from '../../generators/lib/errors.js';
import { ERROR_NOTES, type ErrorNote } from './error-notes.js';

export interface ErrorGroup {
  readonly title: string;
  readonly intro: string;
  readonly tables: readonly Readonly<Record<string, unknown>>[];
}

export const ERROR_GROUPS: readonly ErrorGroup[] = [
  {
    title: 'Serving runtime (`@model-service/runtime`)',
    intro:
      'Answered over HTTP as `{"error": {"code", "message", "path"?, "requestId"}}` with the status shown (no stack; `path` is a JSON Pointer into the body for validation errors), or, at start, one line on stderr and exit code 1.',
    tables: [RUNTIME_ERRORS, CACHE_ERROR_CODES, MICRO_BATCHER_ERROR_CODES],
  },
  {
    title: 'The deployed API (Lambda proxy)',
    intro:
      'What callers of the API Gateway URL get, as `{"error": {"code", "message", "requestId"}}` with the status shown.',
    tables: [PROXY_ERRORS],
  },
  {
    title: '`model-deploy` (`@model-service/deployer`)',
    intro:
      'Printed as `CODE: message` and `-> what to do` (no stack for `user` and `aws` faults), or in `--json` as `{"ok": false, "error": {"code", "fault", "message", ...}}`. Fault says who acts: `user` (fix the input or the setup), `aws` (retry, quota, or read the AWS reason), `bug` (report it).',
    tables: [DEPLOYER_ERRORS],
  },
  {
    title: 'Generator (`model-service init`)',
    intro: 'Printed as one line `CODE: message` without a stack; the bin exits 2 on a user error and 1 on a bug.',
    tables: [GENERATOR_ERRORS],
  },
];

export interface ErrorEntry {
  readonly code: string;
  readonly message: string;
  readonly status?: number;
  readonly fault?: string;
  readonly hint?: string;
}

function entryOf(code: string, raw: unknown): ErrorEntry {
  if (typeof raw === 'string') return { code, message: raw };
  const e = raw as Record<string, unknown>;
  const fault =
    typeof e.fault === 'string'
      ? e.fault
      : typeof e.userFault === 'boolean'
        ? e.userFault
          ? 'user'
          : 'service'
        : undefined;
  return {
    code,
    message: String(e.message ?? ''),
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    ...(fault === undefined ? {} : { fault }),
    ...(typeof e.hint === 'string' ? { hint: e.hint } : {}),
  };
}

export function groupEntries(group: ErrorGroup): ErrorEntry[] {
  return group.tables.flatMap((table) => Object.entries(table).map(([code, raw]) => entryOf(code, raw)));
}

/** Every code of every table, in document order. */
export function allErrorCodes(groups: readonly ErrorGroup[] = ERROR_GROUPS): string[] {
  return groups.flatMap((g) => groupEntries(g).map((e) => e.code));
}

/** A message template as inline code (it may hold `{placeholders}`, `<`, `*` and backticks). */
function inlineCode(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.includes('`') ? `\`\` ${flat} \`\`` : `\`${flat}\``;
}

/** Prose with its code spans kept; `<`, `>` and `*` outside them would be read as HTML or emphasis. */
function prose(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\*/g, '\\*')))
    .join('');
}

function renderEntry(e: ErrorEntry, note: ErrorNote | undefined): string[] {
  const facts = [
    e.status === undefined ? undefined : `HTTP ${e.status}`,
    e.fault === undefined ? undefined : `fault: ${e.fault}`,
  ]
    .filter(Boolean)
    .join(', ');
  const out = [`### ${e.code}`, '', `${facts ? `${facts}. ` : ''}Message: ${inlineCode(e.message)}`];
  if (note) out.push('', `When: ${note.when}`);
  const todo = e.hint ?? note?.todo;
  if (todo) out.push('', `What to do: ${prose(todo)}`);
  out.push('');
  return out;
}

export function renderErrorReference(
  groups: readonly ErrorGroup[] = ERROR_GROUPS,
  notes: Readonly<Record<string, ErrorNote>> = ERROR_NOTES,
): string {
  const out: string[] = [];
  for (const group of groups) {
    out.push(`## ${group.title}`, '', group.intro, '');
    for (const e of groupEntries(group)) out.push(...renderEntry(e, notes[e.code]));
  }
  return out.join('\n');
}
