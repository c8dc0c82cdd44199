// Which failures are transient, and named how: a real error of the S3 client (a closed port), a refused socket, pg's
// messages and SQLSTATEs, fs's ENOSPC and ffmpeg's words for it, and failures that are not transient.
import { MediaProcessError } from '@arvlite/media';
import { connect, createServer } from 'node:net';
import { ObjectStorage } from '@arvlite/storage';
import { describe, expect, it } from 'vitest';
import { transientReason } from './transient.ts';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

const caught = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
};

describe('transientReason', () => {
  it('names storage for the S3 client failing to connect', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const storage = new ObjectStorage({
      endpoint,
      publicEndpoint: endpoint,
      region: 'us-east-1',
      bucket: 'b',
      accessKeyId: 'k',
      secretAccessKey: 's',
      forcePathStyle: true,
    } as ConstructorParameters<typeof ObjectStorage>[0]);
    try {
      expect(transientReason(await caught(() => storage.head('k')))).toBe('storage is unavailable');
    } finally {
      storage.destroy();
    }
  });

  it('names the database for a terminated backend, a full pool, and a bare refused socket as unreachable', async () => {
    const terminated = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(transientReason(terminated)).toBe('the database is unavailable');
    expect(transientReason(new Error('timeout exceeded when trying to connect'))).toBe('the database is unavailable');
    // A socket error with no storage request metadata (what pg's connect rejects with) matches the database rule.
    const port = await closedPort();
    const refused = await new Promise<Error>((resolve) => connect(port, '127.0.0.1').on('error', resolve));
    expect(transientReason(refused)).toBe('the database is unavailable');
  });

  it('names a full disk, from fs or from ffmpeg', () => {
    expect(
      transientReason(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })),
    ).toBe("the worker's scratch disk is full");
    expect(
      transientReason(new Error('ffmpeg exited with code 1: av_interleaved_write_frame(): No space left on device')),
    ).toBe("the worker's scratch disk is full");
    // ffmpeg's last line does not always say it: a header it could not write is reported on the line before.
    const header = new MediaProcessError(
      'ffmpeg',
      1,
      null,
      'Could not write header for output file #0 (incorrect codec parameters ?): No space left on device\n' +
        'Error initializing output stream 1:1 -- ',
    );
    expect(transientReason(header)).toBe("the worker's scratch disk is full");
    expect(transientReason(new MediaProcessError('ffmpeg', 1, null, 'Error initializing output stream 1:1 -- '))).toBe(
      null,
    );
  });

  it('leaves everything else to the step (bad media, a refused statement, a 4xx)', () => {
    expect(transientReason(new Error('moov atom not found'))).toBeNull();
    expect(transientReason(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeNull();
    expect(transientReason(Object.assign(new Error('Forbidden'), { $metadata: { httpStatusCode: 403 } }))).toBeNull();
  });
});
