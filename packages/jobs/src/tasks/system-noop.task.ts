import { defineTask } from '../define-task.ts';

export const systemNoop = defineTask('system:noop', async () => {});
