// The platform's own secrets for `pnpm start`: generated at random on first start, kept in DATA_DIR/secrets.json.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '@arvlite/config';
import { isLoopbackHost, S3RVER_CREDENTIALS } from './s3.ts';

export interface PlatformSecrets {
  /** Root of the keys for tokens, /media signatures and viewer hashes (AUTH_JWT_SECRET). */
  rootSecret: string;
  /** The embedded S3's key pair once it listens beyond loopback. */
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
}

const FILE = 'secrets.json';

function isSecrets(v: unknown): v is PlatformSecrets {
  const s = v as Partial<PlatformSecrets> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.rootSecret === 'string' &&
    s.rootSecret.length >= 32 &&
    typeof s.s3AccessKeyId === 'string' &&
    typeof s.s3SecretAccessKey === 'string' &&
    s.s3SecretAccessKey.length >= 32
  );
}

/**
 * Reads `${dataDir}/secrets.json`, or creates it (owner-only, 0600) with fresh random values. The data directory
 * already holds the database; this file belongs with it and is kept across restarts, so sessions survive them.
 */
export async function loadOrCreateSecrets(dataDir: string): Promise<PlatformSecrets> {
  const file = path.join(dataDir, FILE);
  // 0711, not 0700: as root, embedded Postgres runs initdb as the `postgres` user, which must pass through this
  // directory to its own (0700) one; others may traverse but not list. The secrets file itself is 0600.
  await fs.mkdir(dataDir, { recursive: true, mode: 0o711 });
  const fresh: PlatformSecrets = {
    rootSecret: randomBytes(32).toString('base64url'),
    s3AccessKeyId: `ARV${randomBytes(8).toString('hex').toUpperCase()}`,
    s3SecretAccessKey: randomBytes(30).toString('base64url'),
  };
  try {
    // 'wx': two launchers starting at once cannot both write; the loser reads the winner's file.
    await fs.writeFile(file, `${JSON.stringify(fresh, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const stored: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
  if (!isSecrets(stored)) throw new Error(`${file} is not a valid secrets file; move it away to generate a new one`);
  // Someone loosened it: only the owner may read the keys.
  if (((await fs.stat(file)).mode & 0o077) !== 0) await fs.chmod(file, 0o600);
  return stored;
}

/**
 * The environment the launcher adds for its processes: the root secret unless the operator set AUTH_JWT_SECRET, and
 * the random S3 key pair when the embedded S3 listens beyond loopback with the public default one.
 */
export function platformSecretEnv(
  config: Config,
  secrets: PlatformSecrets,
  opts: { embeddedS3: boolean },
): Record<string, string> {
  const env: Record<string, string> = {};
  if (!config.auth.jwtSecret) env.AUTH_JWT_SECRET = secrets.rootSecret;
  if (
    opts.embeddedS3 &&
    !isLoopbackHost(config.http.host) &&
    config.s3.secretAccessKey === S3RVER_CREDENTIALS.secretAccessKey
  ) {
    env.S3_ACCESS_KEY_ID = secrets.s3AccessKeyId;
    env.S3_SECRET_ACCESS_KEY = secrets.s3SecretAccessKey;
  }
  return env;
}
