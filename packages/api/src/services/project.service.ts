import { Project } from '@arvlite/db';
import type { Access, Caller } from '../access.ts';
import { actorOf as actor, audit, diff } from '../audit.ts';
import type { Context } from '../context.ts';
import { ConflictError } from '../errors.ts';
import { findPage } from '../paginate.ts';

type Ctx = Pick<Context, 'em' | 'requestId' | 'ip' | 'userAgent'> & { access: Access; caller: Caller };

export function projectView(p: Project) {
  return {
    id: p.id,
    companyId: p.company.id,
    name: p.name,
    description: p.description ?? null,
    archivedAt: p.archivedAt ?? null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export async function createProject(ctx: Ctx, input: { companyId: string; name: string; description?: string }) {
  return ctx.em.transactional(async (tem) => {
    const { company } = await ctx.access.company(input.companyId);
    const project = tem.create(Project, { company, name: input.name, description: input.description ?? null });
    audit(tem, actor(ctx), {
      companyId: company.id,
      action: 'project.create',
      targetType: 'project',
      targetId: project.id,
      changes: { name: { from: null, to: input.name } },
    });
    return projectView(project);
  });
}

export async function listProjects(
  ctx: Ctx,
  input: { companyId: string; cursor?: string; limit: number; includeArchived?: boolean },
) {
  const { company } = await ctx.access.company(input.companyId);
  const { items, nextCursor } = await findPage(
    ctx.em,
    Project,
    { company, ...(input.includeArchived ? {} : { archivedAt: null }) },
    input,
  );
  return { items: items.map(projectView), nextCursor };
}

export async function getProject(ctx: Ctx, input: { id: string }) {
  const { project } = await ctx.access.project(input.id);
  return projectView(project);
}

export async function updateProject(ctx: Ctx, input: { id: string; name?: string; description?: string | null }) {
  return ctx.em.transactional(async (tem) => {
    const { project } = await ctx.access.project(input.id);
    if (project.archivedAt) throw new ConflictError('This project is archived');
    const patch = { name: input.name, description: input.description };
    const changes = diff(project, patch);
    tem.assign(project, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    audit(tem, actor(ctx), {
      companyId: project.company.id,
      action: 'project.update',
      targetType: 'project',
      targetId: project.id,
      changes,
    });
    return projectView(project);
  });
}

export async function archiveProject(ctx: Ctx, input: { id: string }) {
  return ctx.em.transactional(async (tem) => {
    const { project } = await ctx.access.project(input.id);
    if (!project.archivedAt) {
      project.archivedAt = new Date();
      audit(tem, actor(ctx), {
        companyId: project.company.id,
        action: 'project.archive',
        targetType: 'project',
        targetId: project.id,
      });
    }
    return projectView(project);
  });
}
