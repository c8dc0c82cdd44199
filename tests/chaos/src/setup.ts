// Every scenario file's setup: when a test fails, print the last lines of each app's log (workers first) while its
// cluster still runs, so the failure says what the workers were doing; the whole logs stay in the cluster's logsDir.
import { beforeEach } from 'vitest';
import { activeCluster } from './cluster.ts';

beforeEach(({ onTestFailed }) => {
  onTestFailed(async () => {
    const cluster = activeCluster;
    if (!cluster) return;
    console.error(`[chaos] the apps' logs (all of them in ${cluster.logsDir}):\n${await cluster.logTails(40)}`);
  });
});
