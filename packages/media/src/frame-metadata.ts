// Parses the output of ffmpeg's `metadata=print` filter: values other filters attached to each frame.

export interface FrameMetadata {
  timeS: number;
  /** e.g. `lavfi.scene_score`, `lavfi.signalstats.YAVG`. */
  values: Record<string, number>;
}

/** Each frame is a `frame:N pts:… pts_time:T` line followed by its `lavfi.*=value` lines. */
export function parseFrameMetadata(lines: readonly string[]): FrameMetadata[] {
  const frames: FrameMetadata[] = [];
  for (const line of lines) {
    const head = /^frame:\s*\d+\s+pts:\s*\S+\s+pts_time:\s*(\S+)/.exec(line);
    if (head) {
      frames.push({ timeS: Number(head[1]), values: {} });
      continue;
    }
    const kv = /^(lavfi\.[\w.]+)=(\S+)/.exec(line);
    const current = frames.at(-1);
    if (kv && current) current.values[kv[1]!] = Number(kv[2]);
  }
  return frames;
}
