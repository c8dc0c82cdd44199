// Uploads as the clients make them, through a router caller: a company and project of the user's own, and a clip put
// to its presigned URL and completed (video:process is then queued).
import { readFileSync } from 'node:fs';
import type { CallerUser } from './accounts.ts';
import { clips } from './media-fixtures.ts';

/** A new company of the user's with one project; their ids. */
export async function newProject(user: CallerUser, name = 'Clips'): Promise<{ companyId: string; projectId: string }> {
  const companyId = (await user.caller.company.create({ name: `${name} ${Math.random()}` })).id;
  const projectId = (await user.caller.project.create({ companyId, name })).id;
  return { companyId, projectId };
}

/** Uploads a clip (1 s 480×270 by default) with a single PUT and completes it; the video's id. */
export async function uploadClip(user: CallerUser, projectId: string, file = clips.oneSecond()): Promise<string> {
  const bytes = new Uint8Array(readFileSync(file));
  const created = await user.caller.video.createUpload({
    projectId,
    fileName: 'one.mp4',
    contentType: 'video/mp4',
    size: bytes.length,
  });
  if (created.kind !== 'single') throw new Error('expected a single upload');
  const put = await fetch(created.url, { method: 'PUT', body: bytes, headers: created.headers });
  if (!put.ok) throw new Error(`PUT to the presigned URL answered ${put.status}`);
  await user.caller.video.completeUpload({ videoId: created.videoId });
  return created.videoId;
}
