import { EntityRepository } from '@mikro-orm/postgresql';
import { Company } from '../entities/company.entity.ts';
import type { Role } from '../entities/membership.entity.ts';
import { Project } from '../entities/project.entity.ts';
import { Video } from '../entities/video.entity.ts';
import { VideoStep } from '../entities/video-step.entity.ts';
import { entityColumns, preparedStatement } from '../prepared.ts';

const forMember = preparedStatement('video_for_member', (em) => {
  const [v, p, c] = [entityColumns(em, Video, 'v'), entityColumns(em, Project, 'p'), entityColumns(em, Company, 'c')];
  return `select ${v.sql}, ${p.sql}, ${c.sql}, m.role as member_role
    from video v join project p on p.id = v.project_id join company c on c.id = v.company_id
      join membership m on m.company_id = v.company_id and m.user_id = ?
    where v.id = ? and v.deleted_at is null`;
});

const steps = preparedStatement(
  'video_steps',
  (em) => `select ${entityColumns(em, VideoStep, 's').sql} from video_step s where s.video_id = ? order by s.position`,
);

export class VideoRepository extends EntityRepository<Video> {
  /**
   * A live video with its project and company, and the caller's role, only if the caller is a member of its company;
   * never by id alone. One statement: the row and the membership come from the same join.
   */
  async findForMember(userId: string, videoId: string): Promise<{ video: Video; role: Role } | null> {
    const [row] = await forMember(this.em).rows<Record<string, unknown>>(this.em, [userId, videoId]);
    if (!row) return null;
    entityColumns(this.em, Company, 'c').map(this.em, row);
    entityColumns(this.em, Project, 'p').map(this.em, row);
    return { video: entityColumns(this.em, Video, 'v').map(this.em, row), role: row.member_role as Role };
  }

  /** A video's processing steps in order, fresh from the database. */
  async findSteps(videoId: string): Promise<VideoStep[]> {
    const rows = await steps(this.em).rows<Record<string, unknown>>(this.em, [videoId]);
    const s = entityColumns(this.em, VideoStep, 's');
    return rows.map((row) => s.map(this.em, row));
  }
}
