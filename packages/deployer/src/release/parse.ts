// Step 2: YAML text -> plain data. Syntax errors name the line and column.
import { parseDocument } from 'yaml';
import { DeployerError } from '../errors.js';

export function parseReleaseText(text: string, path = 'release.yaml'): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
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
  return data;
}
