import { EntityRepository } from '@mikro-orm/postgresql';
import type { WorkerHeartbeat } from '../entities/worker-heartbeat.entity.ts';

/**
 * Heartbeats are written and judged by the database's clock (now()), never a process's: a worker whose clock jumped
 * back would otherwise look dead to the others (its jobs released and run twice), and one whose clock jumped forward
 * would think every other worker dead.
 */
export class WorkerHeartbeatRepository extends EntityRepository<WorkerHeartbeat> {
  /** Workers whose heartbeat is fresher than `deadAfterMs` and that have not stopped. */
  async findLive(deadAfterMs: number) {
    const ids = await this.#ids('last_seen_at > now() - make_interval(secs => ?)', deadAfterMs);
    return ids.length ? this.find({ id: { $in: ids } }, { orderBy: { startedAt: 'asc' } }) : [];
  }

  /**
   * Workers that stopped beating without a clean shutdown. None while the database itself has been up for less than
   * `deadAfterMs`: while it was down no worker could beat, and a live one needs that long to be seen beating again.
   */
  async findDead(deadAfterMs: number) {
    const ids = await this.#ids(
      'last_seen_at <= now() - make_interval(secs => ?) and pg_postmaster_start_time() <= now() - make_interval(secs => ?)',
      deadAfterMs,
      deadAfterMs,
    );
    return ids.length ? this.find({ id: { $in: ids } }) : [];
  }

  /**
   * Records a beat at the database's now(). A beating worker is not stopped: one a peer took for dead (its jobs
   * released) is live again, so that if it does die later, its jobs of then are released too instead of staying locked
   * for graphile-worker's 4 hours.
   */
  async touch(id: string): Promise<void> {
    await this.getEntityManager().execute(
      'update worker_heartbeat set last_seen_at = now(), stopped_at = null where id = ?',
      [id],
    );
  }

  async #ids(condition: string, ...deadAfterMs: number[]): Promise<string[]> {
    const rows = await this.getEntityManager().execute<{ id: string }[]>(
      `select id from worker_heartbeat where stopped_at is null and ${condition}`,
      deadAfterMs.map((ms) => ms / 1000),
    );
    return rows.map((r) => r.id);
  }
}
