import { EntityRepository } from '@mikro-orm/postgresql';
import type { Video } from '../entities/video.entity.ts';

export class VideoRepository extends EntityRepository<Video> {
  /** A live video only if the caller is a member of its company; never by id alone. */
  findForMember(userId: string, videoId: string) {
    return this.findOne(
      { id: videoId, deletedAt: null, company: { memberships: { user: userId } } },
      { populate: ['project', 'company'] },
    );
  }
}
