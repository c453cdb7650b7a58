// Step 2: YAML text -> plain data, plus a locator from a field's YAML path to
// `file:line:column`, so the later steps' errors can name where the field is.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { DeployerError } from '../errors.js';

export interface ParsedRelease {
  readonly data: unknown;
  /** `environments.dev.instanceCount` -> `release.yaml:5:38` (the key, or the nearest mapping that exists). */
  readonly locate: (yamlPath: string) => string;
}

export function parseReleaseText(text: string, path = 'release.yaml'): ParsedRelease {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? ` (line ${pos.line}, column ${pos.col})` : '';
    const reason = `${first.message.split('\n')[0]}${where}`;
    throw new DeployerError('MS_DEPLOY_RELEASE_PARSE', { path, reason }, { cause: first });
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new DeployerError('MS_DEPLOY_RELEASE_PARSE', {
      path,
      reason: 'the top level must be a mapping (key: value)',
    });
  }
  return {
    data,
    locate(yamlPath) {
      const offset = offsetOf(doc, pathParts(yamlPath));
      if (offset === undefined) return path;
      const { line, col } = lineCounter.linePos(offset);
      return `${path}:${line}:${col}`;
    },
  };
}

/** `promotion.order[1]` -> ['promotion', 'order', 1]. */
function pathParts(yamlPath: string): (string | number)[] {
  if (yamlPath === '(top level)') return [];
  return yamlPath.split(/\.|(?=\[)/).map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}

/** Walks as deep as the document goes: the key of the last pair found, else the node. */
function offsetOf(doc: Document, parts: (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let at: number | undefined = (node as Node | null)?.range?.[0];
  for (const part of parts) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      at = (pair.key as Node).range?.[0] ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
      node = node.items[part];
      at = (node as Node).range?.[0] ?? at;
    } else {
      break;
    }
  }
  return at;
}
