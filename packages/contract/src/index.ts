// Shared rules both the server and every client must agree on. Pure TypeScript + zod: safe in browsers and React Native.
export * from './languages.ts';
