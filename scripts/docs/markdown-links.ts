// Relative links in Markdown, and the anchors GitHub gives headings, so a test can check that
// every link in README.md and docs/*.md reaches an existing file and heading.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** GitHub's heading anchor: lower case, punctuation dropped (not `-` or `_`), spaces to `-`. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const open = /^\s*(```+|~~~+)/.exec(text);
    if (open) {
      if (fence === undefined) fence = open[1]![0];
      else if (open[1]![0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line: i + 1, text });
  });
  return out;
}

/** Every anchor a page has: its headings (duplicates get -1, -2, ... as on GitHub) and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) {
      const base = slug(heading[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const [, id] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id!);
  }
  return anchors;
}

export interface Link {
  readonly line: number;
  readonly target: string;
}

/** Inline links `[text](target)` outside code; absolute URLs are left out. */
export function relativeLinks(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const withoutCode = text.replace(/`[^`]*`/g, '');
    for (const [, target] of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
      links.push({ line, target: target! });
    }
  }
  return links;
}

/** "file:line: problem" for each link of `file` that does not resolve. */
export function brokenLinks(root: string, file: string): string[] {
  const path = join(root, file);
  const problems: string[] = [];
  for (const { line, target } of relativeLinks(readFileSync(path, 'utf8'))) {
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const dest = pathPart === '' ? path : join(dirname(path), decodeURIComponent(pathPart));
    const where = `${file}:${line}: ${target}`;
    if (!existsSync(dest)) {
      problems.push(`${where}: ${relative(root, dest)} does not exist`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(dest).isDirectory() || !dest.endsWith('.md')) {
      problems.push(`${where}: an anchor into a file that is not Markdown`);
      continue;
    }
    if (!anchorsOf(readFileSync(dest, 'utf8')).has(anchor))
      problems.push(`${where}: ${relative(root, dest)} has no heading #${anchor}`);
  }
  return problems;
}
