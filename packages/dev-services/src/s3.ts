// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- s3rver ships no types; this file declares them
/// <reference path="./types/s3rver.d.ts" />
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { noopLog, type Log } from './log.ts';

export interface StartS3Options {
  /** Directory holding buckets and objects (kept across restarts). */
  dir: string;
  port: number;
  /**
   * Address to listen on. Loopback by default; `0.0.0.0` or a LAN address lets phones on the network fetch dev media
   * through presigned URLs (the patched s3rver verifies SigV4 and refuses unsigned requests).
   */
  host?: string;
  /**
   * The only key pair requests may be signed with; S3RVER / S3RVER by default. Beyond loopback the public default is
   * refused: anyone on the network could sign with it.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  log?: Log;
}

export interface S3Handle {
  endpoint: string;
  stop(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/** The public default key pair (S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY defaults): for loopback only. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Whether listening on this address is reachable from other machines. */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::';
}

/** Whether only this machine can reach a server listening on this address. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Where browsers and phones reach the embedded S3 when PUBLIC_URL names another host than loopback (a LAN address,
 * so phones can scan codes): the same host, the S3 port. Undefined for a loopback PUBLIC_URL.
 */
export function lanS3Endpoint(s3Endpoint: string, publicUrl: string): string | undefined {
  const { hostname } = new URL(publicUrl);
  if (['localhost', '127.0.0.1', '[::1]'].includes(hostname)) return undefined;
  const url = new URL(s3Endpoint);
  url.hostname = hostname;
  return url.origin;
}

/** Runs s3rver on host:port (127.0.0.1 by default), storing data under dir. */
export async function startS3({
  dir,
  port,
  host: HOST = LOOPBACK,
  credentials = S3RVER_CREDENTIALS,
  log = noopLog,
}: StartS3Options): Promise<S3Handle> {
  if (!isLoopbackHost(HOST) && credentials.secretAccessKey === S3RVER_CREDENTIALS.secretAccessKey) {
    throw new Error(
      `S3 (s3rver) would listen on ${HOST} with the public default credentials; set S3_ACCESS_KEY_ID and ` +
        'S3_SECRET_ACCESS_KEY to random values (`pnpm start` generates them in DATA_DIR/secrets.json)',
    );
  }
  const directory = path.resolve(dir);
  await fs.mkdir(directory, { recursive: true });
  // Loaded lazily so importing the package index stays light.
  const { default: S3rver } = await import('s3rver');
  const s3rver = new S3rver({
    address: HOST,
    port,
    directory,
    silent: true,
    resetOnClose: false,
    accessKeys: [credentials],
  });

  // s3rver.run() never rejects on listen errors (EADDRINUSE becomes an uncaught 'error'
  // event), so listen through its listen() and watch the server ourselves.
  const server = await new Promise<NonNullable<typeof s3rver.httpServer>>((resolve, reject) => {
    const srv = s3rver.listen(port, HOST, () => {
      srv.off('error', reject);
      resolve(srv);
    });
    srv.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(`S3 (s3rver) could not listen on ${HOST}:${port}: ${err.message}`, {
          cause: err,
        }),
      ),
    );
  });
  s3rver.httpServer = server;
  server.on('error', (err) => log('error', `s3rver: ${err.message}`));
  log('debug', `s3rver listening on ${HOST}:${port}, data in ${directory}`);

  let stopped: Promise<void> | undefined;
  return {
    // This machine reaches a wildcard listener on loopback.
    endpoint: `http://${isWildcardHost(HOST) ? LOOPBACK : HOST.includes(':') ? `[${HOST}]` : HOST}:${port}`,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        // close() drops idle keep-alive sockets; give in-flight requests a moment.
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return stopped;
    },
  };
}

export interface EnsureBucketOptions {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Browser origins allowed to PUT/GET objects directly (presigned uploads). */
  corsOrigins: string[];
  forcePathStyle?: boolean;
}

/** Creates the bucket if it is missing and (re)applies its CORS rules. */
export async function ensureBucket(options: EnsureBucketOptions): Promise<void> {
  const { bucket, region, corsOrigins } = options;
  const client = new S3Client({
    endpoint: options.endpoint,
    region,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    forcePathStyle: options.forcePathStyle ?? true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
  try {
    if (!(await bucketExists(client, bucket))) {
      try {
        await client.send(
          new CreateBucketCommand({
            Bucket: bucket,
            ...(region !== 'us-east-1' && {
              CreateBucketConfiguration: {
                LocationConstraint: region as BucketLocationConstraint,
              },
            }),
          }),
        );
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
      }
    }
    await client.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: corsOrigins.length > 0 ? corsOrigins : ['*'],
              AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD', 'DELETE'],
              AllowedHeaders: ['*'],
              ExposeHeaders: ['ETag'],
              MaxAgeSeconds: 3000,
            },
          ],
        },
      }),
    );
  } finally {
    client.destroy();
  }
}

async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404) {
      return false;
    }
    throw err;
  }
}
