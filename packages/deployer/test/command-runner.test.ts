import { expect, test } from '@jest/globals';
import { processRunner } from '../src/command-runner.js';

test('stdin is piped to the process (how the registry password travels)', async () => {
  const result = await processRunner().run('cat', [], { stdin: 'secret-on-stdin' });
  expect(result).toEqual({ exitCode: 0, stdout: 'secret-on-stdin', stderr: '' });
});

test('exit code and stderr come back; output lines are streamed', async () => {
  const lines: string[] = [];
  const result = await processRunner({ onOutput: (l) => lines.push(l) }).run('sh', [
    '-c',
    'echo building; echo broken >&2; exit 3',
  ]);
  expect(result.exitCode).toBe(3);
  expect(result.stderr).toBe('broken\n');
  expect(lines).toEqual(expect.arrayContaining(['building', 'broken']));
});

test('args are not interpreted by a shell', async () => {
  const result = await processRunner().run('echo', ['$(whoami)', '; rm -rf /']);
  expect(result.stdout).toBe('$(whoami) ; rm -rf /\n');
});

test('a missing command rejects', async () => {
  await expect(processRunner().run('definitely-not-a-command-xyz', [])).rejects.toMatchObject({ code: 'ENOENT' });
});
