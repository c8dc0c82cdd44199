// Azure Blob Storage for tests: Azurite (started like the other embedded services, as a child process) with a random
// account key of this test file, a container of its own and CORS for the given browser origins.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '@arvlite/dev-services';
import { AzureObjectStore, type AzureSettings } from '@arvlite/storage';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startTestAzurite(
  corsOrigins: string[] = [],
): Promise<{ store: AzureObjectStore; settings: AzureSettings; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'arvlite-azurite-'));
  const account = { name: 'arvlitetest', key: randomBytes(64).toString('base64') };
  const azurite = await startAzurite({ dir, port: await freePort(), account });
  const settings: AzureSettings = {
    endpoint: azurite.endpoint,
    accountName: account.name,
    accountKey: account.key,
    container: `c-${randomBytes(6).toString('hex')}`,
  };
  const store = new AzureObjectStore(settings);
  await store.setup(corsOrigins);
  return {
    store,
    settings,
    close: async () => {
      store.destroy();
      await azurite.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
