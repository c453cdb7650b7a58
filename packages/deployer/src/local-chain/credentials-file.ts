// The local chain's secrets (the throwaway user's password, a fresh ID token) go to a 0600 file in
// a private temp dir, never to the terminal: a CI log keeps whatever `model-deploy local` prints.
// The terminal shows the file's path; `. <file>` puts the values into a shell.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CredentialsFile {
  path: string;
  remove(): Promise<void>;
}

/** Values are single-quoted for the shell, so a quote or a newline in one is refused. */
export async function writeCredentialsFile(values: Record<string, string>): Promise<CredentialsFile> {
  const dir = await mkdtemp(join(tmpdir(), 'ms-local-credentials-'));
  const path = join(dir, 'credentials.env');
  const lines = Object.entries(values).map(([key, value]) => {
    if (/['\n]/.test(value)) throw new Error(`${key} holds a quote or a newline, which a shell file cannot hold as is`);
    return `export ${key}='${value}'`;
  });
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // the mode above is filtered by the umask
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
