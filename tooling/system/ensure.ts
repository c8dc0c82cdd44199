// Makes `pnpm test` work on a fresh machine: installs Debian's ffmpeg and chromium when missing (needs root or sudo).
import { execFileSync, spawnSync } from 'node:child_process';

const wanted = [
  { bin: 'ffmpeg', pkg: 'ffmpeg' },
  { bin: 'ffprobe', pkg: 'ffmpeg' },
  { bin: 'chromium', pkg: 'chromium' },
];

const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const missing = [...new Set(wanted.filter((w) => !has(w.bin)).map((w) => w.pkg))];

if (missing.length > 0) {
  const root = process.getuid?.() === 0;
  if (!root && !has('sudo')) {
    console.error(`Missing system packages: ${missing.join(', ')}. Install them with apt-get (as root).`);
    process.exit(1);
  }
  const sudo = root ? [] : ['sudo'];
  console.log(`Installing system packages from Debian: ${missing.join(', ')}`);
  const run = (args: string[]) =>
    execFileSync(sudo[0] ?? 'env', [...(sudo.length ? ['env'] : []), 'DEBIAN_FRONTEND=noninteractive', ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', ...missing]);
}
