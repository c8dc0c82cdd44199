// Azurite (Microsoft's Azure Storage emulator, from the npm registry), Blob service only, as a child process: the
// embedded Azure Blob Storage for development and the storage conformance tests. Its account and key are ours
// (AZURITE_ACCOUNTS), never the emulator's published development key.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { AZURITE_PUBLIC_KEY, processEnv } from '@arvlite/config';
import { noopLog, type Log } from './log.ts';

export interface StartAzuriteOptions {
  /** Directory holding Azurite's metadata and blobs (kept across restarts). */
  dir: string;
  port: number;
  /** The only account requests may be signed for: a name (lower-case letters and digits) and a base64 key. */
  account: { name: string; key: string };
  log?: Log;
}

export interface AzuriteHandle {
  /** The Blob service endpoint, account included (path-style, as Azurite serves it). */
  endpoint: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs Azurite's Blob service on 127.0.0.1:port, data under dir; resolves once it accepts connections. */
export async function startAzurite({ dir, port, account, log = noopLog }: StartAzuriteOptions): Promise<AzuriteHandle> {
  if (!/^[a-z0-9]{3,24}$/.test(account.name)) throw new Error(`Azure account name ${account.name} is not 3-24 a-z0-9`);
  if (account.key === AZURITE_PUBLIC_KEY) throw new Error("Azurite's published development key is refused");
  if (await portOpen(port)) throw new Error(`Azurite could not listen on ${HOST}:${port}: the port is in use`);
  const directory = path.resolve(dir);
  await fs.mkdir(directory, { recursive: true });
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      main,
      '--blobHost',
      HOST,
      '--blobPort',
      String(port),
      '--location',
      directory,
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
    ],
    {
      env: { ...processEnv(), AZURITE_ACCOUNTS: `${account.name}:${account.key}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  // Azurite must not outlive this process (a test run that ends without stopping it, say).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    }),
  );
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with ${child.exitCode}: ${stderr.trim()}`);
    if (await portOpen(port)) break;
    if (i > 600) {
      child.kill('SIGKILL');
      throw new Error(`Azurite did not listen on ${HOST}:${port} within 60 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log('debug', `Azurite (Blob) listening on ${HOST}:${port}, data in ${directory}`);
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${HOST}:${port}/${account.name}`,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode !== null) return;
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(force);
      })();
      return stopped;
    },
  };
}
