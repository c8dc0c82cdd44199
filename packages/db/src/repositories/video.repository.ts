import { EntityRepository } from '@mikro-orm/postgresql';
import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import { Company } from '../entities/company.entity.ts';
import type { Role } from '@arvlite/contract';
import { Project } from '../entities/project.entity.ts';
import { Video } from '../entities/video.entity.ts';
import { VideoStep } from '../entities/video-step.entity.ts';
import { entityColumns, preparedStatement, recordColumns, type RecordColumns } from '../prepared.ts';

const forMember = preparedStatement('video_for_member', (em) => {
  const [v, p, c] = [entityColumns(em, Video, 'v'), entityColumns(em, Project, 'p'), entityColumns(em, Company, 'c')];
  return `select ${v.sql}, ${p.sql}, ${c.sql}, m.role as member_role
    from video v join project p on p.id = v.project_id join company c on c.id = v.company_id
      join membership m on m.company_id = v.company_id and m.user_id = ?
    where v.id = ? and v.deleted_at is null`;
});

/** What a read-only view of a video renders, as plain data: the entity's names and types, nothing managed. */
export type VideoRecord = Pick<Video, (typeof VIDEO_RECORD)[number]> & {
  company: { id: string };
  project: { id: string };
};
export type VideoStepRecord = Pick<VideoStep, (typeof STEP_RECORD)[number]>;

const VIDEO_RECORD = [
  'id',
  'outputId',
  'title',
  'description',
  'status',
  'failureCode',
  'failureMessage',
  'fileName',
  'contentType',
  'sizeBytes',
  'storedBytes',
  'container',
  'media',
  'outputs',
  'analysis',
  'chromaKey',
  'uploadedAt',
  'playableAt',
  'readyAt',
  'createdAt',
  'updatedAt',
] as const;
const STEP_RECORD = [
  'name',
  'status',
  'progress',
  'attempts',
  'startedAt',
  'finishedAt',
  'errorCode',
  'errorMessage',
] as const;

let videoColumns: RecordColumns<Video, (typeof VIDEO_RECORD)[number]> | undefined;
let stepColumns: RecordColumns<VideoStep, (typeof STEP_RECORD)[number]> | undefined;
const videoRecord = (em: EntityManager) => (videoColumns ??= recordColumns(em, Video, 'v', VIDEO_RECORD));
const stepRecord = (em: EntityManager) => (stepColumns ??= recordColumns(em, VideoStep, 's', STEP_RECORD));

const recordForMember = preparedStatement(
  'video_record_for_member',
  (em) => `select ${videoRecord(em).sql}, v.company_id, v.project_id, m.role as member_role
    from video v join membership m on m.company_id = v.company_id and m.user_id = ?
    where v.id = ? and v.deleted_at is null`,
);

const stepRecords = preparedStatement(
  'video_step_records',
  (em) => `select ${stepRecord(em).sql} from video_step s where s.video_id = ? order by s.position`,
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

  /**
   * findForMember for views that only read: the columns a video view renders as a plain VideoRecord, with the
   * same scoping (one statement, no membership, no row).
   */
  async readForMember(userId: string, videoId: string): Promise<{ video: VideoRecord; role: Role } | null> {
    const [row] = await recordForMember(this.em).rows<Record<string, unknown>>(this.em, [userId, videoId]);
    if (!row) return null;
    const video: VideoRecord = {
      ...videoRecord(this.em).read(row),
      company: { id: row.company_id as string },
      project: { id: row.project_id as string },
    };
    return { video, role: row.member_role as Role };
  }

  /** A video's processing steps in order, fresh from the database, as plain data. */
  async readSteps(videoId: string): Promise<VideoStepRecord[]> {
    const rows = await stepRecords(this.em).rows<Record<string, unknown>>(this.em, [videoId]);
    const s = stepRecord(this.em);
    return rows.map((row) => s.read(row));
  }
}
