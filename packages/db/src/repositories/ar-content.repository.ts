import { EntityRepository } from '@mikro-orm/postgresql';
import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import { ArContent } from '../entities/ar-content.entity.ts';
import { ArPlaylistRule } from '../entities/ar-playlist.entity.ts';
import { Company } from '../entities/company.entity.ts';
import type { Language, Role } from '@arvlite/contract';
import { Project } from '../entities/project.entity.ts';
import { Video } from '../entities/video.entity.ts';
import { entityColumns, preparedStatement, recordColumns, type RecordColumns } from '../prepared.ts';

const forMember = preparedStatement('ar_content_for_member', (em) => {
  const [a, p, c] = [
    entityColumns(em, ArContent, 'a'),
    entityColumns(em, Project, 'p'),
    entityColumns(em, Company, 'c'),
  ];
  return `select ${a.sql}, ${p.sql}, ${c.sql}, m.role as member_role
    from ar_content a join project p on p.id = a.project_id join company c on c.id = a.company_id
      join membership m on m.company_id = a.company_id and m.user_id = ?
    where a.id = ? and a.deleted_at is null`;
});

// Everything a public scan needs, in one statement: the item, its company's timezone, its playlist's videos and its
// rules, in position order, as plain data (a scan only reads). Filtering (deleted, draft, …) stays in code, which
// gives each case its own reason. Only the columns a scan reads are selected.
const SCAN = {
  content: [
    'id',
    'title',
    'status',
    'deletedAt',
    'activeFrom',
    'expiresAt',
    'markerImageKey',
    'markerMindKey',
    'widthMm',
    'version',
    'autoplay',
    'loop',
    'muted',
  ],
  video: ['id', 'outputId', 'status', 'deletedAt', 'playableAt', 'outputs', 'media', 'chromaKey'],
  rule: ['id', 'kind', 'date', 'yearly', 'startsAt', 'endsAt', 'cycle', 'videoIds', 'anchorDate'],
} as const;

export type ScanContent = Pick<ArContent, (typeof SCAN.content)[number]> & {
  company: { id: string; timezone: string; language: Language; suspended: boolean };
  project: { id: string };
  defaultVideo: { id: string } | null;
};
export type ScanVideo = Pick<Video, (typeof SCAN.video)[number]> & { company: { id: string }; project: { id: string } };
export type ScanRule = Pick<ArPlaylistRule, (typeof SCAN.rule)[number]> & { video: { id: string } | null };

let scanColumns:
  | {
      content: RecordColumns<ArContent, (typeof SCAN.content)[number]>;
      video: RecordColumns<Video, (typeof SCAN.video)[number]>;
      rule: RecordColumns<ArPlaylistRule, (typeof SCAN.rule)[number]>;
    }
  | undefined;
const scan = (em: EntityManager) =>
  (scanColumns ??= {
    content: recordColumns(em, ArContent, 'a', SCAN.content),
    video: recordColumns(em, Video, 'v', SCAN.video),
    rule: recordColumns(em, ArPlaylistRule, 'r', SCAN.rule),
  });

const published = preparedStatement('ar_content_scan', (em) => {
  const { content, video, rule } = scan(em);
  return `select ${content.sql}, a.company_id, a.project_id, a.default_video_id, c.timezone, c.language,
      c.suspended_at is not null as company_suspended,
      coalesce((select json_agg(json_build_object('video', ${video.json}, 'companyId', v.company_id, 'projectId', v.project_id)
                                order by i.position)
                from ar_playlist_item i join video v on v.id = i.video_id where i.ar_content_id = a.id), '[]') as videos,
      coalesce((select json_agg(json_build_object('rule', ${rule.json}, 'videoId', r.video_id) order by r.position)
                from ar_playlist_rule r where r.ar_content_id = a.id), '[]') as rules
    from ar_content a join company c on c.id = a.company_id
    where a.public_id = ?`;
});

export class ArContentRepository extends EntityRepository<ArContent> {
  /**
   * A live (not deleted) AR content item with its project and company, and the caller's role, only if the caller is
   * a member of its company; never by id alone.
   */
  async findForMember(userId: string, arContentId: string): Promise<{ arContent: ArContent; role: Role } | null> {
    const [row] = await forMember(this.em).rows<Record<string, unknown>>(this.em, [userId, arContentId]);
    if (!row) return null;
    entityColumns(this.em, Company, 'c').map(this.em, row);
    entityColumns(this.em, Project, 'p').map(this.em, row);
    return { arContent: entityColumns(this.em, ArContent, 'a').map(this.em, row), role: row.member_role as Role };
  }

  /**
   * By public id, whatever its state, with its company's timezone and viewer language, its playlist's videos and its rules in position
   * order, as plain data: the viewer's manifest in one statement.
   */
  async readByPublicId(
    publicId: string,
  ): Promise<{ arContent: ScanContent; videos: ScanVideo[]; rules: ScanRule[] } | null> {
    const [row] = await published(this.em).rows<Record<string, unknown>>(this.em, [publicId]);
    if (!row) return null;
    const { content, video, rule } = scan(this.em);
    const arContent: ScanContent = {
      ...content.read(row),
      company: {
        id: row.company_id as string,
        timezone: row.timezone as string,
        language: row.language as Language,
        suspended: row.company_suspended === true,
      },
      project: { id: row.project_id as string },
      defaultVideo: row.default_video_id ? { id: row.default_video_id as string } : null,
    };
    type Nested = Record<string, unknown> & { companyId: string; projectId: string; videoId: string | null };
    const videos = (row.videos as Nested[]).map((v) => ({
      ...video.read(v.video as Record<string, unknown>),
      company: { id: v.companyId },
      project: { id: v.projectId },
    }));
    const rules = (row.rules as Nested[]).map((r) => ({
      ...rule.read(r.rule as Record<string, unknown>),
      video: r.videoId ? { id: r.videoId } : null,
    }));
    return { arContent, videos, rules };
  }
}
