import { EntityRepository } from '@mikro-orm/postgresql';
import { ArContent } from '../entities/ar-content.entity.ts';
import { ArPlaylistItem, ArPlaylistRule } from '../entities/ar-playlist.entity.ts';
import { Company } from '../entities/company.entity.ts';
import type { Role } from '../entities/membership.entity.ts';
import { Project } from '../entities/project.entity.ts';
import { Video } from '../entities/video.entity.ts';
import { entityColumns, entityJson, preparedStatement } from '../prepared.ts';

const forMember = preparedStatement('ar_content_for_member', (em) => {
  const [a, p, c] = [entityColumns(em, ArContent, 'a'), entityColumns(em, Project, 'p'), entityColumns(em, Company, 'c')];
  return `select ${a.sql}, ${p.sql}, ${c.sql}, m.role as member_role
    from ar_content a join project p on p.id = a.project_id join company c on c.id = a.company_id
      join membership m on m.company_id = a.company_id and m.user_id = ?
    where a.id = ? and a.deleted_at is null`;
});

// Everything a public scan needs, in one statement: the item, its company, its playlist (items with their videos) and
// its rules, in position order. Filtering (deleted, draft, …) stays in code, which gives each case its own reason.
// The large JSON a scan never reads (marker keypoints and advice, video analysis) is left out: those entities are
// partially loaded, as with find's `exclude`.
const SCAN_EXCLUDES = { content: ['markerKeypoints', 'markerAdvice'], video: ['analysis'] } as const;
const published = preparedStatement('ar_content_by_public_id', (em) => {
  const [a, c] = [entityColumns(em, ArContent, 'a', SCAN_EXCLUDES.content), entityColumns(em, Company, 'c')];
  return `select ${a.sql}, ${c.sql},
      coalesce((select json_agg(json_build_object('item', ${entityJson(em, ArPlaylistItem, 'i')}, 'video', ${entityJson(em, Video, 'v', SCAN_EXCLUDES.video)})
                                order by i.position)
                from ar_playlist_item i join video v on v.id = i.video_id where i.ar_content_id = a.id), '[]') as playlist,
      coalesce((select json_agg(${entityJson(em, ArPlaylistRule, 'r')} order by r.position)
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
   * By public id, whatever its state, with its company, its playlist items (videos loaded) and rules in position
   * order: the viewer's manifest in one statement. Partially loaded: see SCAN_EXCLUDES.
   */
  async findByPublicId(publicId: string): Promise<{ arContent: ArContent; items: ArPlaylistItem[]; rules: ArPlaylistRule[] } | null> {
    const [row] = await published(this.em).rows<Record<string, unknown>>(this.em, [publicId]);
    if (!row) return null;
    entityColumns(this.em, Company, 'c').map(this.em, row);
    const arContent = entityColumns(this.em, ArContent, 'a', SCAN_EXCLUDES.content).map(this.em, row);
    const items = (row.playlist as { item: Record<string, unknown>; video: Record<string, unknown> }[]).map((p) => {
      this.em.map(Video, p.video);
      return this.em.map(ArPlaylistItem, p.item);
    });
    const rules = (row.rules as Record<string, unknown>[]).map((r) => this.em.map(ArPlaylistRule, r));
    return { arContent, items, rules };
  }
}
