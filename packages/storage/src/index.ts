import type { ServiceConfig } from '@arvlite/config';
import { ObjectStorage } from './object-storage.ts';

export {
  isNotFound,
  isUnavailable,
  ObjectChangedError,
  ObjectStorage,
  ObjectTooLargeError,
  sameEtag,
  type ReadOptions,
  StorageUnavailableError,
  type StorageSettings,
} from './object-storage.ts';
export { createS3Client, type S3Settings } from './s3-client.ts';
export { Presigner, type PresignSettings } from './presign.ts';

export function createStorage(config: ServiceConfig): ObjectStorage {
  return new ObjectStorage({ ...config.s3, endpoint: config.s3.endpoint, publicEndpoint: config.s3.publicEndpoint });
}
