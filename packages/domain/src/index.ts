export * from './errors.ts';
export { addUsage, commitQuota, releaseQuota, reserveQuota } from './quota.ts';
export { originalKey, videoPrefix } from './storage-keys.ts';
export { abandonUpload, ACCEPTED_CONTAINERS } from './uploads.ts';
export { canTransition, transition } from './video-state.ts';
