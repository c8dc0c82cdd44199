export { initOrm, migrate, migrationsPath, ormConfig, type Orm, type OrmOptions } from './orm.ts';
export { isDatabaseUnavailable } from './unavailable.ts';
export * from './entities/index.ts';
export { WorkerHeartbeatRepository } from './repositories/worker-heartbeat.repository.ts';
export type { EntityManager } from '@mikro-orm/postgresql';
export { MembershipRepository } from './repositories/membership.repository.ts';
export { ProjectRepository } from './repositories/project.repository.ts';
export { VideoRepository, type VideoRecord, type VideoStepRecord } from './repositories/video.repository.ts';
export {
  ArContentRepository,
  type ScanContent,
  type ScanRule,
  type ScanVideo,
} from './repositories/ar-content.repository.ts';
export { UserRepository } from './repositories/user.repository.ts';
export { PreparedStatement, entityColumns, preparedStatement, recordColumns } from './prepared.ts';
