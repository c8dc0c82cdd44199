import type { ServiceConfig } from '@arvlite/config';
import { ObjectStorage } from './object-storage.ts';

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
} from './local-disk.ts';
export { migrateObjects, MigrateVerifyError, type MigrateProgress, type MigrateResult } from './migrate.ts';
export { byteRange, LocalUploadHandler, TUS_PATH, UPLOAD_TOKEN_HEADER, type RangeAnswer } from './local-disk-http.ts';

export function createStorage(config: ServiceConfig): ObjectStorage {
  return new ObjectStorage({ ...config.s3, endpoint: config.s3.endpoint, publicEndpoint: config.s3.publicEndpoint });
}
