// Builds the web export (`expo export --platform web`) once per content hash of the app's sources and caches it under
// .data/, so test files share one build and reruns without changes skip it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const appDir = path.resolve(import.meta.dirname, '../..');
const repoRoot = path.resolve(appDir, '../..');
const cacheRoot = path.join(repoRoot, '.data', 'mobile-web-export');

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.endsWith('.spec.ts'))
    .flatMap((e) => files(path.join(dir, e.name)));
}

/** What the bundle is made of: the app's sources and config, and the workspace packages it bundles. */
export function exportHash(): string {
  const inputs = [
    ...['src', 'index.ts', 'app.json', 'package.json', 'metro.config.js', 'babel.config.js'].map((p) =>
      path.join(appDir, p),
    ),
    ...['client', 'contract', 'i18n'].flatMap((p) => [
      path.join(repoRoot, 'packages', p, 'src'),
      path.join(repoRoot, 'packages', p, 'package.json'),
    ]),
  ];
  const hash = createHash('sha256');
  for (const f of inputs.flatMap(files).sort())
    hash.update(path.relative(repoRoot, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function run(args: string[]): Promise<string> {
  const cli = createRequire(path.join(appDir, 'package.json')).resolve('expo/bin/cli');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`expo export failed (${code}):\n${out.slice(-4000)}`)),
    );
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The directory of a web export of the current sources (index.html, _expo/static/js/web/*.js and their .map). */
export async function webExport(): Promise<string> {
  const dir = path.join(cacheRoot, exportHash());
  const lock = `${dir}.lock`;
  mkdirSync(cacheRoot, { recursive: true });
  for (;;) {
    if (existsSync(path.join(dir, 'index.html'))) return dir;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building it; a lock older than 5 minutes was left by a killed run.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      await sleep(500);
    }
  }
  try {
    if (existsSync(path.join(dir, 'index.html'))) return dir;
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    await run(['export', '--platform', 'web', '--output-dir', tmp, '--source-maps', '--max-workers', '2']);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    // Older exports are of no use any more.
    for (const e of readdirSync(cacheRoot))
      if (e !== path.basename(dir) && !e.endsWith('.lock') && !e.includes('.tmp-'))
        rmSync(path.join(cacheRoot, e), { recursive: true, force: true });
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Every module in the export's JavaScript bundles, as repo-relative paths from their source maps. */
export function bundledModules(dir: string): string[] {
  const js = path.join(dir, '_expo/static/js/web');
  return readdirSync(js)
    .filter((f) => f.endsWith('.js.map'))
    .flatMap((f) => (JSON.parse(readFileSync(path.join(js, f), 'utf8')) as { sources: string[] }).sources);
}
