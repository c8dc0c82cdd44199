import type { ServiceConfig } from '@arvlite/config';
import { AzureObjectStore } from './azure-storage.ts';
import { ObjectStorage } from './object-storage.ts';
import { createLocalDiskStorage } from './local-disk.ts';
import type { ObjectStore } from './port.ts';

export {
  isNotFound,
  isUnavailable,
  ObjectChangedError,
  ObjectStorage,
  ObjectTooLargeError,
  sameEtag,
  StorageUnavailableError,
  type StorageSettings,
} from './object-storage.ts';
export type {
  ObjectHead,
  ObjectStore,
  ReadOptions,
  StorageProviderName,
  StoredPart,
  UploadTransportKind,
} from './port.ts';
export { AzureObjectStore, azureBlockId, type AzureSettings } from './azure-storage.ts';
export { createS3Client, type S3Settings } from './s3-client.ts';
export { Presigner, type PresignSettings } from './presign.ts';
export {
  createLocalDiskStorage,
  InvalidKeyError,
  keySegments,
  LocalDiskStorage,
  TUS_CHUNK_BYTES,
  type LocalDiskSettings,
  type UploadGrant,
  UploadRefusedError,
} from './local-disk.ts';
export { migrateObjects, MigrateVerifyError, type MigrateProgress, type MigrateResult } from './migrate.ts';
export { byteRange, LocalUploadHandler, TUS_PATH, UPLOAD_TOKEN_HEADER, type RangeAnswer } from './local-disk-http.ts';

/** The store STORAGE_PROVIDER names, with its settings. */
export function createStorage(config: ServiceConfig): ObjectStore {
  switch (config.storage.provider) {
    case 's3':
      return new ObjectStorage({
        ...config.s3,
        endpoint: config.s3.endpoint,
        publicEndpoint: config.s3.publicEndpoint,
      });
    case 'azure': {
      const { endpoint, publicEndpoint, accountName, accountKey, container } = config.azure;
      if (!endpoint || !accountName || !accountKey)
        throw new Error(
          'STORAGE_PROVIDER=azure needs AZURE_STORAGE_ENDPOINT, AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY',
        );
      return new AzureObjectStore({ endpoint, publicEndpoint, accountName, accountKey, container });
    }
    case 'local':
      return createLocalDiskStorage(config);
  }
}
