import { defineTask } from '../define-task.ts';
import { analyze, finalize, makeImages, processVideo, renderRung } from '../pipeline/steps.ts';

export const videoProcess = defineTask('video:process', processVideo);
export const videoRendition = defineTask('video:rendition', renderRung);
export const videoImages = defineTask('video:images', makeImages);
export const videoAnalyze = defineTask('video:analyze', analyze);
export const videoFinalize = defineTask('video:finalize', finalize);
