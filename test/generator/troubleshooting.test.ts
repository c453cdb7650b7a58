// templates/common/troubleshooting-codes.md is rendered from the runtime's and the deployer's
// error tables; it must say what the tables say today (a new or changed code fails here until
// `npm run troubleshooting -w generator-model-service` is run and the file committed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ERRORS as RUNTIME_ERRORS } from '@model-service/runtime';
import { ERRORS as DEPLOYER_ERRORS } from '../../packages/deployer/src/errors.js';
import { TROUBLESHOOTING_CODES_FILE, renderTroubleshootingCodes } from '../../generators/lib/troubleshooting.js';
import { ROOT } from './helpers.js';

describe('troubleshooting codes', () => {
  test('the committed fragment is the rendering of the current error tables', () => {
    const committed = readFileSync(join(ROOT, 'templates', TROUBLESHOOTING_CODES_FILE), 'utf8');
    const rendered = renderTroubleshootingCodes(RUNTIME_ERRORS, DEPLOYER_ERRORS);
    const stale = rendered.split('\n').filter((row) => row.startsWith('| `MS_') && !committed.includes(row));
    const gone = committed.split('\n').filter((row) => row.startsWith('| `MS_') && !rendered.includes(row));
    // Say which rows and how to fix it, rather than one long string diff.
    expect({
      newOrChanged: stale,
      removed: gone,
      fix:
        stale.length + gone.length
          ? 'npm run troubleshooting -w generator-model-service, then npm run regen -w generator-model-service'
          : 'none',
    }).toEqual({ newOrChanged: [], removed: [], fix: 'none' });
    expect(committed).toBe(rendered);
  });

  test('one row per code, start-up errors marked, pipes in messages escaped', () => {
    const text = renderTroubleshootingCodes(
      {
        MS_RUNTIME_X: { status: 400, message: 'a | b', userFault: true },
        MS_RUNTIME_Y: { message: 'bad {detail}', userFault: true },
      },
      { MS_DEPLOY_Z: { fault: 'aws', message: 'throttled', hint: 'retry later' } },
    );
    expect(text).toContain('| `MS_RUNTIME_X` | 400 | a \\| b | The caller sent it');
    expect(text).toContain('| `MS_RUNTIME_Y` | start-up | bad {detail} | The service stops at start');
    expect(text).toContain('| `MS_DEPLOY_Z` | aws | throttled | retry later |');
    expect(text.match(/^\| `MS_/gm)).toHaveLength(3);
  });
});
