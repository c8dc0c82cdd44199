import { auditRouter } from './router/audit.ts';
import { authRouter } from './router/auth.ts';
import { companyRouter } from './router/company.ts';
import { healthRouter } from './router/health.ts';
import { memberRouter } from './router/member.ts';
import { projectRouter } from './router/project.ts';
import { videoRouter } from './router/video.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  company: companyRouter,
  member: memberRouter,
  project: projectRouter,
  audit: auditRouter,
  video: videoRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
