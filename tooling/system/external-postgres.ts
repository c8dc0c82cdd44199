// `pnpm test:external-pg [vitest args]`: runs the integration suite (tests/integration) against Debian's PostgreSQL
// server (apt package postgresql-15; PG_MAJOR picks another installed major) started here as a process of its own,
// instead of the embedded PostgreSQL 18. It proves that DATABASE_URL works with an independently run server of an
// older major version. S3 and SMTP stay the test run's embedded ones.
//
// The server gets a fresh cluster in a temporary directory (initdb with a random password, scram-sha-256, TCP on
// loopback only), runs as the `postgres` user when we are root (initdb refuses root), and is stopped and removed at
// the end. The exit code is vitest's.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const major = process.env.PG_MAJOR ?? '15';
const bin = `/usr/lib/postgresql/${major}/bin`;

if (!existsSync(`${bin}/postgres`)) {
  const root = process.getuid?.() === 0;
  console.log(`Installing Debian's postgresql-${major} (server binaries only; its own cluster is not used)`);
  const sudo = root ? [] : ['sudo'];
  const run = (args: string[]) =>
    execFileSync(sudo[0] ?? 'env', [...(sudo.length ? ['env'] : []), 'DEBIAN_FRONTEND=noninteractive', ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', `postgresql-${major}`]);
}

const asRoot = process.getuid?.() === 0;
const ids = asRoot
  ? {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    }
  : {};

const dir = mkdtempSync(path.join(tmpdir(), `arvlite-pg${major}-`));
const dataDir = path.join(dir, 'data');
const password = randomBytes(24).toString('base64url');
const pwFile = path.join(dir, 'pw');
writeFileSync(pwFile, password);
if (asRoot) {
  chmodSync(dir, 0o700);
  chownSync(dir, ids.uid!, ids.gid!);
  chownSync(pwFile, ids.uid!, ids.gid!);
}

const init = spawnSync(
  `${bin}/initdb`,
  ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--no-sync'],
  { ...ids, stdio: ['ignore', 'ignore', 'inherit'] },
);
if (init.status !== 0) {
  console.error(`initdb failed (${init.status ?? init.signal})`);
  process.exit(1);
}

const port = await new Promise<number>((resolve, reject) => {
  const srv = createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const { port: p } = srv.address() as { port: number };
    srv.close(() => resolve(p));
  });
});

const server = spawn(
  `${bin}/postgres`,
  ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
  { ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
);
let serverLog = '';
server.stderr.on('data', (d: Buffer) => void (serverLog += d.toString()));
const stopServer = async () => {
  if (server.exitCode === null && server.signalCode === null) {
    server.kill('SIGINT'); // fast shutdown
    await new Promise((r) => server.once('exit', r));
  }
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => void stopServer().then(() => process.exit(130)));

const databaseUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
let version = '';
for (let i = 0; ; i++) {
  const probe = spawnSync(`${bin}/psql`, ['-d', databaseUrl, '-Atc', 'select version()'], { encoding: 'utf8' });
  if (probe.status === 0) {
    version = probe.stdout.trim();
    break;
  }
  if (i > 300 || server.exitCode !== null) {
    console.error(`PostgreSQL ${major} did not start: ${probe.stderr}\n${serverLog}`);
    await stopServer();
    process.exit(1);
  }
  await sleep(100);
}
console.log(`External PostgreSQL on 127.0.0.1:${port}: ${version}`);

const args = process.argv.slice(2);
// Options alone (`--maxWorkers=1`; give values with `=`) still run the integration suite; naming files or folders runs
// those instead.
const named = args.some((a) => !a.startsWith('-'));
const vitest = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');
const code = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, [vitest, 'run', ...(named ? [] : ['tests/integration']), ...args], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
  child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
});
console.log(
  `Integration suite against ${version.split(' on ')[0]}: ${code === 0 ? 'passed' : `failed (exit ${code})`}`,
);
await stopServer();
process.exit(code);
