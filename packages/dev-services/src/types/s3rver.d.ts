// Minimal typings for s3rver 3.x (ships none).
declare module 's3rver' {
  import type { Server } from 'node:http';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    /** ARVlite patch: serve unsigned requests (S3 refuses them on a private bucket; so does the patched s3rver). */
    allowAnonymous?: boolean;
    /** ARVlite patch: the key pairs SigV4 signatures are checked against (default S3RVER / S3RVER). */
    accessKeys?: { accessKeyId: string; secretAccessKey: string }[];
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    httpServer?: Server;
    run(): Promise<{ address: string; port: number }>;
    listen(port: number, address: string, callback: () => void): Server;
    close(): Promise<void>;
    reset(): void;
  }

  export default S3rver;
}
