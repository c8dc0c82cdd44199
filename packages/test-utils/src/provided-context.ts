// What the global setup hands to every test file through vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    testServices: { adminUrl: string; templateDb: string; s3Endpoint: string };
  }
}

export {};
