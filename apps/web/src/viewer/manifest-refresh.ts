// A viewer left open (a kiosk, a phone on a table) follows the schedule: when the playlist's choice can change
// (`selection.validUntil`), the manifest is asked again and the page switches video only if the answer differs.
import type { Manifest, PlayableManifest } from './api.ts';

/** setTimeout's ceiling (about 24.8 days); a later change is picked up by the check that runs then. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Asked a second after the change, so the server's clock has passed it too; never sooner than this. */
const AFTER_CHANGE_MS = 1000;
/** Offline, or the server answered with the same window (clocks apart): ask again this much later. */
export const RECHECK_MS = 30_000;

/** How long to wait before asking again; null when the choice never changes by itself. */
export function refreshDelayMs(validUntil: Date | null, now: number): number | null {
  if (!validUntil) return null;
  return Math.min(MAX_TIMER_MS, Math.max(AFTER_CHANGE_MS, validUntil.getTime() - now + AFTER_CHANGE_MS));
}

/** What is playing, not how it is signed: URLs without their query, and the item's version. */
export function manifestIdentity(m: PlayableManifest): string {
  const path = (url: string | null) => url?.split('?')[0] ?? '';
  return [
    m.version,
    path(m.video.mp4Url),
    path(m.video.hlsUrl),
    path(m.marker.mindUrl),
    m.playback.autoplay,
    m.playback.loop,
    m.playback.muted,
  ].join('|');
}

export type Refreshed =
  /** The same video: keep the playing one (same objects, so nothing restarts) with the new window. */
  | { kind: 'same'; manifest: PlayableManifest }
  /** Another video, or settings changed: show the new manifest. */
  | { kind: 'changed'; manifest: PlayableManifest }
  /** Nothing to show any more (expired, no playable video, …). */
  | { kind: 'gone'; reason: Extract<Manifest, { ok: false }>['reason'] };

export function afterRefresh(current: PlayableManifest, next: Manifest): Refreshed {
  if (!next.ok) return { kind: 'gone', reason: next.reason };
  if (manifestIdentity(next) !== manifestIdentity(current)) return { kind: 'changed', manifest: next };
  return { kind: 'same', manifest: { ...current, selection: next.selection } };
}
