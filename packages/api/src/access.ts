// Tenant scoping: the only way procedures load company-owned objects. Not a member → NOT_FOUND; member below the role → FORBIDDEN.
import { roleAtLeast, type Role } from '@arvlite/contract';
import { ArContent, Company, Membership, Project, Video, type EntityManager, type VideoRecord } from '@arvlite/db';
import type { ApiKeyPrincipal } from './auth/api-keys.ts';
import { DomainError, ForbiddenError, NotFoundError } from './errors.ts';

export interface Caller {
  /** The signed-in user; null when an API key calls. */
  userId: string | null;
  /** An API key acts in its one company with its own role: other companies' objects do not exist for it. */
  apiKey?: ApiKeyPrincipal;
}

export function createAccess(em: EntityManager, caller: Caller, minRole: Role) {
  if (caller.apiKey) return createKeyAccess(em, caller.apiKey, minRole);
  const userId = caller.userId;
  if (!userId) throw new Error('createAccess needs a user or an API key');
  return createMemberAccess(em, { userId }, minRole);
}

function createMemberAccess(em: EntityManager, caller: { userId: string }, minRole: Role) {
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
    async company(companyId: string): Promise<{ company: Company; membership: Membership | null; role: Role }> {
      const membership = await em.getRepository(Membership).findForCaller(caller.userId, companyId);
      if (!membership) throw new NotFoundError('Company');
      check(membership.role);
      return { company: membership.company, membership, role: membership.role };
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

/**
 * The same methods for an API key: an object loads only when it belongs to the key's company (else NOT_FOUND), and the
 * key's role is checked against the procedure's. The key itself was checked live (not revoked, not expired) for
 * this call.
 */
function createKeyAccess(em: EntityManager, key: ApiKeyPrincipal, minRole: Role): Access {
  function check() {
    if (!roleAtLeast(key.role, minRole)) {
      throw new ForbiddenError(`This needs the ${minRole} role or higher; this API key is ${key.role}`);
    }
    return key.role;
  }
  const company = key.companyId;
  return {
    minRole,
    async company(companyId) {
      const found = companyId === company ? await em.findOne(Company, companyId) : null;
      if (!found) throw new NotFoundError('Company');
      return { company: found, membership: null, role: check() };
    },
    async project(projectId) {
      const project = await em.findOne(Project, { id: projectId, company }, { populate: ['company'] });
      if (!project) throw new NotFoundError('Project');
      return { project, company: project.company, role: check() };
    },
    async video(videoId) {
      const video = await em.findOne(
        Video,
        { id: videoId, company, deletedAt: null },
        { populate: ['company', 'project'] },
      );
      if (!video) throw new NotFoundError('Video');
      return { video, company: video.company, role: check() };
    },
    async videoRecord(videoId) {
      const video = await em.findOne(Video, { id: videoId, company, deletedAt: null });
      if (!video) throw new NotFoundError('Video');
      return { video, role: check() };
    },
    async arContent(arContentId) {
      const arContent = await em.findOne(
        ArContent,
        { id: arContentId, company, deletedAt: null },
        { populate: ['company', 'project'] },
      );
      if (!arContent) throw new NotFoundError('AR content');
      return { arContent, company: arContent.company, role: check() };
    },
  };
}

export type Access = ReturnType<typeof createMemberAccess>;

/** A change in a company the platform operator suspended: typed, with the operator's reason. */
export class CompanySuspendedError extends DomainError {
  constructor(reasonText: string | null | undefined) {
    super('FORBIDDEN', 'This company is suspended by the platform operator; its content can be read but not changed', {
      reason: 'COMPANY_SUSPENDED',
      suspensionReason: reasonText ?? '',
    });
  }
}

/**
 * Suspension, for tenant procedures: in a suspended company queries and subscriptions still read (members can see
 * and export their data), and every mutation answers FORBIDDEN with reason COMPANY_SUSPENDED once it loads the
 * company or one of its objects. Nothing else changes: resuming the company restores everything.
 */
export function guardSuspension(access: Access, type: 'query' | 'mutation' | 'subscription'): Access {
  if (type !== 'mutation') return access;
  const check = <T extends { company: Company }>(found: T): T => {
    if (found.company.suspendedAt) throw new CompanySuspendedError(found.company.suspendedReason);
    return found;
  };
  return {
    ...access,
    company: async (id) => check(await access.company(id)),
    project: async (id) => check(await access.project(id)),
    video: async (id) => check(await access.video(id)),
    arContent: async (id) => check(await access.arContent(id)),
    // A plain row for reading: refused in mutations of a suspended company like the rest.
    videoRecord: async (id) => {
      const found = await access.videoRecord(id);
      const company = await access.company(found.video.company.id).catch(() => null);
      if (company?.company.suspendedAt) throw new CompanySuspendedError(company.company.suspendedReason);
      return found;
    },
  };
}
