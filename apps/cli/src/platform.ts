// How the CLI finds the installation: the same resolution as `pnpm start` (packages/dev-services/src/cli/platform.ts).
// DATA_DIR is resolved against the repository root; without DATABASE_URL / S3_ENDPOINT the embedded services of a
// running `pnpm start` are used; secrets come from DATA_DIR/secrets.json unless set in the environment.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, processEnv, requireServices, type Config } from '@arvlite/config';
import { embeddedServiceUrls, platformSecretEnv, type PlatformSecrets } from '@arvlite/dev-services';
import { createStorage, ObjectStorage, type ObjectStore } from '@arvlite/storage';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface Platform {
  config: Config;
  databaseUrl: string;
  s3Endpoint: string;
  /** Which services are the embedded ones of `pnpm start`. */
  embedded: { postgres: boolean; s3: boolean };
  dataDir: string;
  /** Where AUTH_JWT_SECRET comes from. */
  secretSource: 'environment' | 'secrets.json' | 'missing';
}

function readSecrets(dataDir: string): PlatformSecrets | undefined {
  const file = path.join(dataDir, 'secrets.json');
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<PlatformSecrets>;
    return typeof s.rootSecret === 'string' &&
      typeof s.s3AccessKeyId === 'string' &&
      typeof s.s3SecretAccessKey === 'string'
      ? (s as PlatformSecrets)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Loads the configuration as the platform's processes see it. Throws ConfigError for invalid settings. */
export function loadPlatform(): Platform {
  const first = loadConfig();
  const dataDir = path.resolve(repoRoot, first.dataDir);
  const embeddedUrls = embeddedServiceUrls(first);
  const secrets = readSecrets(dataDir);
  const secretEnv = secrets ? platformSecretEnv(first, secrets, { embeddedS3: !first.s3.endpoint }) : {};
  const config = loadConfig({
    ...processEnv(),
    ...secretEnv,
    DATA_DIR: dataDir,
    DATABASE_URL: first.database.url ?? embeddedUrls.databaseUrl,
    S3_ENDPOINT: first.s3.endpoint ?? embeddedUrls.s3Endpoint,
  });
  return {
    config,
    databaseUrl: config.database.url!,
    s3Endpoint: config.s3.endpoint!,
    embedded: { postgres: !first.database.url, s3: !first.s3.endpoint },
    dataDir,
    secretSource: first.auth.jwtSecret ? 'environment' : secretEnv.AUTH_JWT_SECRET ? 'secrets.json' : 'missing',
  };
}

/** The object store STORAGE_PROVIDER names: S3 (the embedded one of `pnpm start` without S3_ENDPOINT), Azure or local disk. */
export function openStorage(p: Platform): ObjectStore {
  return p.config.storage.provider === 's3' ? openS3Storage(p) : createStorage(requireServices(p.config));
}

/** The S3 store of S3_* whatever STORAGE_PROVIDER says (`arvlite storage migrate` copies into it). */
export function openS3Storage(p: Platform): ObjectStorage {
  return new ObjectStorage({ ...p.config.s3, endpoint: p.s3Endpoint, publicEndpoint: p.s3Endpoint });
}

/** Where the objects are, for messages: "bucket b at http://…", "container c at http://…", "directory /…". */
export function storageLocation(p: Platform, storage: ObjectStore): string {
  switch (p.config.storage.provider) {
    case 's3':
      return `bucket ${storage.bucket} at ${p.s3Endpoint}`;
    case 'azure':
      return `container ${storage.bucket} at ${p.config.azure.endpoint ?? '(AZURE_STORAGE_ENDPOINT not set)'}`;
    case 'local':
      return `directory ${storage.bucket}`;
  }
}
