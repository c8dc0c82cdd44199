// Shared rules both the server and every client must agree on. Pure TypeScript + zod: safe in browsers and React Native.
export * from './languages.ts';
export * from './roles.ts';
export * from './api-keys.ts';
export * from './statuses.ts';
export * from './video-steps.ts';
export * from './reasons.ts';
export * from './uploads.ts';
export * from './markers.ts';
export * from './time-zone.ts';
export * from './playlist.ts';
export * from './video-outputs.ts';
export * from './events.ts';
export * from './notifications.ts';
export * as inputs from './inputs.ts';
export * from './mail.ts';
export * from './webhooks.ts';
export * from './admin.ts';
export * from './csv-import.ts';
