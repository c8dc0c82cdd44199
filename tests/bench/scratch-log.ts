import { loadConfig, requireServices } from '@arvlite/config';
import { initOrm } from '@arvlite/db';
import { createStorage } from '@arvlite/storage';
import { enqueue } from '@arvlite/jobs';
import { startWorker } from '@arvlite/worker';
import { pino } from 'pino';
import { startBenchServices } from './src/services.ts';

const s = await startBenchServices();
try {
  const url = await s.createDatabase('scratch1');
  const config = requireServices(loadConfig({ DATABASE_URL: url, S3_ENDPOINT: s.s3Endpoint, LOG_LEVEL: 'warn' }));
  const orm = await initOrm({ url, poolMax: 5 });
  const storage = createStorage(config);
  const w = await startWorker({ config, orm, storage, log: pino({ level: 'warn' }) });
  const lat: number[] = [];
  const starts = new Map<string, number>();
  w.runner.events.on('job:start', ({ job }) => starts.set(job.id, performance.now()));
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const { id } = await orm.fork().transactional((tem) => enqueue(tem, 'system:noop', { label: 'x' }));
    while (!starts.has(id)) await new Promise((r) => setTimeout(r, 1));
    lat.push(starts.get(id)! - t0);
  }
  console.log('LAT', lat.map((x) => x.toFixed(2)).join(' '));
  await w.stop();
  await orm.close();
  storage.destroy();
} finally {
  await s.stop();
}
