// Tenant scoping: the only way procedures load company-owned objects. Not a member → NOT_FOUND; member below the role → FORBIDDEN.
import { roleAtLeast, type Role } from '@arvlite/contract';
import { ArContent, Membership, Project, Video, type Company, type EntityManager, type VideoRecord } from '@arvlite/db';
import { ForbiddenError, NotFoundError } from './errors.ts';

export interface Caller {
  userId: string;
}

export function createAccess(em: EntityManager, caller: Caller, minRole: Role) {
  function check(role: Role) {
    if (!roleAtLeast(role, minRole)) {
      throw new ForbiddenError(`This needs the ${minRole} role or higher; you are ${role}`);
    }
    return role;
  }

  // project, video and arContent read the object and the caller's role in one statement (the object's company joined
  // to the caller's membership): no membership, no row.
  return {
    minRole,
    /** The caller's membership in a company at the declared minimum role. */
    async company(companyId: string): Promise<{ company: Company; membership: Membership }> {
      const membership = await em.getRepository(Membership).findForCaller(caller.userId, companyId);
      if (!membership) throw new NotFoundError('Company');
      check(membership.role);
      return { company: membership.company, membership };
    },

    async project(projectId: string): Promise<{ project: Project; company: Company; role: Role }> {
      const found = await em.getRepository(Project).findForMember(caller.userId, projectId);
      if (!found) throw new NotFoundError('Project');
      return { project: found.project, company: found.project.company, role: check(found.role) };
    },

    /** A live (not deleted) video of a company the caller belongs to. */
    async video(videoId: string): Promise<{ video: Video; company: Company; role: Role }> {
      const found = await em.getRepository(Video).findForMember(caller.userId, videoId);
      if (!found) throw new NotFoundError('Video');
      return { video: found.video, company: found.video.company, role: check(found.role) };
    },

    /** video() for procedures that only read: the same checks, the row as a plain VideoRecord (nothing managed). */
    async videoRecord(videoId: string): Promise<{ video: VideoRecord; role: Role }> {
      const found = await em.getRepository(Video).readForMember(caller.userId, videoId);
      if (!found) throw new NotFoundError('Video');
      return { video: found.video, role: check(found.role) };
    },

    /** A live (not deleted) AR content item of a company the caller belongs to. */
    async arContent(arContentId: string): Promise<{ arContent: ArContent; company: Company; role: Role }> {
      const found = await em.getRepository(ArContent).findForMember(caller.userId, arContentId);
      if (!found) throw new NotFoundError('AR content');
      return { arContent: found.arContent, company: found.arContent.company, role: check(found.role) };
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
