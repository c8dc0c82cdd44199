// Storage keys carry the tenant: everything of a video lives under its prefix, beside the original.
export function videoPrefix(v: { companyId: string; projectId: string; videoId: string }): string {
  return `${v.companyId}/${v.projectId}/videos/${v.videoId}/`;
}

export function originalKey(v: { companyId: string; projectId: string; videoId: string }): string {
  return `${videoPrefix(v)}original`;
}
