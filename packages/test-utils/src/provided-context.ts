// What the global setup hands to every test file through vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    /** `authSecret`: the run's root secret (AUTH_JWT_SECRET), random unless the environment sets one. */
    testServices: {
      adminUrl: string;
      templateDb: string;
      s3Endpoint: string;
      authSecret: string;
      /** The embedded SMTP server's port (loopback) and the directory where it keeps each mail as .eml. */
      smtpPort: number;
      mailDir: string;
    };
  }
}

export {};
