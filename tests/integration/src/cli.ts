// Runs `arvlite` (apps/cli) as a child process, as an operator's shell would.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { processEnv } from '@arvlite/config';

export const CLI_MAIN = join(import.meta.dirname, '../../../apps/cli/src/main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node apps/cli/src/main.ts …args` with the test run's environment plus `env` (and `input` on standard input);
 * resolves when it exits.
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: { ...processEnv(), NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
