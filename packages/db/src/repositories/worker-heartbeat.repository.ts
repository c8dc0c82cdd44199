import { EntityRepository } from '@mikro-orm/postgresql';
import type { WorkerHeartbeat } from '../entities/worker-heartbeat.entity.ts';

export class WorkerHeartbeatRepository extends EntityRepository<WorkerHeartbeat> {
  /** Workers whose heartbeat is fresher than `deadAfterMs` and that have not stopped. */
  findLive(deadAfterMs: number) {
    return this.find(
      { stoppedAt: null, lastSeenAt: { $gt: new Date(Date.now() - deadAfterMs) } },
      { orderBy: { startedAt: 'asc' } },
    );
  }

  /** Workers that stopped beating without a clean shutdown. */
  findDead(deadAfterMs: number) {
    return this.find({ stoppedAt: null, lastSeenAt: { $lte: new Date(Date.now() - deadAfterMs) } });
  }
}
