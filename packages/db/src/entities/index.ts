import { WorkerHeartbeatSchema } from './worker-heartbeat.entity.ts';

export { WorkerHeartbeat, WorkerHeartbeatSchema } from './worker-heartbeat.entity.ts';

export const entities = [WorkerHeartbeatSchema];
