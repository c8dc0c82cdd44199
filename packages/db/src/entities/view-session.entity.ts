import { VIEW_FALLBACK_REASONS } from '@arvlite/contract';
import { defineEntity, p } from '@mikro-orm/core';
import { ArContentSchema } from './ar-content.entity.ts';
import { CompanySchema } from './company.entity.ts';
import { ProjectSchema } from './project.entity.ts';

export const DEVICE_PLATFORMS = ['ios', 'android', 'web', 'other'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];
/** `client`: ended by viewer.endSession; `abandoned`: closed by the viewer:close-sessions cron. */
export const SESSION_END_REASONS = ['client', 'abandoned'] as const;

/** One viewing of an AR content item from a phone, for analytics. Holds no raw IP and no device identifier, only keyed hashes. */
export const ViewSessionSchema = defineEntity({
  name: 'ViewSession',
  tableName: 'view_session',
  indexes: [
    { properties: ['arContent', 'startedAt'] },
    { properties: ['project', 'startedAt'] },
    // The cron looks for open sessions only, by when the server heard of them.
    {
      name: 'view_session_open_received_at_index',
      expression:
        'create index "view_session_open_received_at_index" on "view_session" ("received_at") where "ended_at" is null',
    },
  ],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    arContent: () => p.manyToOne(ArContentSchema).deleteRule('cascade'),
    /** Denormalized so analytics aggregate by project or company without joins. */
    company: () => p.manyToOne(CompanySchema).deleteRule('cascade'),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    /** The video the manifest selected; a plain column so sessions outlive deleted videos. */
    videoId: p.uuid().nullable(),
    platform: p.enum(DEVICE_PLATFORMS),
    deviceModel: p.string().length(100).nullable(),
    deviceOs: p.string().length(64).nullable(),
    appVersion: p.string().length(32).nullable(),
    /** Keyed hash of the app's install id (or of IP and device fields without one): counts unique devices. */
    deviceHash: p.string().length(64),
    ipHash: p.string().length(64),
    /** When the viewing began: the app's clock for sessions sent later (offline), bounded by the server. */
    startedAt: p.datetime().onCreate(() => new Date()),
    /** When the server recorded it; the abandoned-session timeout counts from here, so late-sent sessions can still end. */
    receivedAt: p.datetime().defaultRaw('now()'),
    endedAt: p.datetime().nullable(),
    endReason: p.enum(SESSION_END_REASONS).nullable(),
    watchedMs: p.integer().default(0),
    trackingLostCount: p.integer().default(0),
    completed: p.boolean().default(false),
    /**
     * Started when the viewer page opened (and records its stages), not at the first frame as before: such a view
     * counts as a view (`played`) only once its video plays. Older sessions and apps that start at the first frame
     * keep `fromOpen` false and `played` true.
     */
    fromOpen: p.boolean().default(false),
    played: p.boolean().default(true),
    /** Milliseconds from the page opening to each stage the viewer reported (null: not reached, or not reported). */
    cameraMs: p.integer().nullable(),
    fallbackMs: p.integer().nullable(),
    fallbackReason: p.enum(VIEW_FALLBACK_REASONS).nullable(),
    detectedMs: p.integer().nullable(),
    playingMs: p.integer().nullable(),
    completedMs: p.integer().nullable(),
  },
});
export class ViewSession extends ViewSessionSchema.class {}
ViewSessionSchema.setClass(ViewSession);
