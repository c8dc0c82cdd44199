// Marker compile benchmark: what marker:compile does with a 12 MP phone photo (normalizeMarker, then the compile in its
// worker thread on the grey pixels), N times in this process, with median wall and CPU time and the process's peak
// RSS. Run alone with `node bench/compile.bench.ts [--runs N] [--size PX]` (--size: a generated busy marker of that
// long side instead of the photo); the repository's bench suite runs it in a process of its own (marker-child.ts).
import { parseArgs } from 'node:util';
import { compileMindTargetInThread } from '../src/compile-thread.ts';
import { COMPILE_LONG_SIDE_PX, normalizeMarker } from '../src/normalize.ts';
import { generateMarkerImage, phonePhoto } from '../src/testing.ts';

export interface CompileBenchResult {
  runs: number;
  /** What was compiled: the photo's size as uploaded. */
  sourceWidth: number;
  sourceHeight: number;
  sourceBytes: number;
  /** The published marker's size and the compiler's working size. */
  width: number;
  height: number;
  compileWidth: number;
  compileHeight: number;
  wallMs: number[];
  cpuMs: number[];
  normalizeMs: number[];
  compileMs: number[];
  medianWallMs: number;
  medianCpuMs: number;
  matchingPoints: number;
  trackingPoints: number;
  mindBytes: number;
  /** Peak resident set size of this whole process (getrusage maxRSS), which does nothing but these compiles. */
  peakRssMb: number;
  /** Resident set size before the first compile (Node, sharp and the modules loaded, the photo generated). */
  startRssMb: number;
}

/** `upload`: the photo's bytes (made elsewhere, so making it does not count in this process's memory). */
export async function benchmarkMarkerCompile({
  runs = 3,
  longSidePx,
  upload: given,
}: { runs?: number; longSidePx?: number; upload?: Buffer } = {}): Promise<CompileBenchResult> {
  const upload =
    given ??
    (longSidePx
      ? await generateMarkerImage('busy', longSidePx, Math.round((longSidePx * 3) / 4), 'jpeg')
      : await phonePhoto());
  const startRss = process.memoryUsage().rss;
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  const normalizeMs: number[] = [];
  const compileMs: number[] = [];
  let last: Awaited<ReturnType<typeof compileMindTargetInThread>> | undefined;
  let marker: Awaited<ReturnType<typeof normalizeMarker>> | undefined;
  for (let run = 0; run < runs; run++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    marker = await normalizeMarker(upload);
    const normalized = performance.now();
    // As marker:compile runs it: a thread of its own that loads TensorFlow.js and mind-ar, then ends.
    last = await compileMindTargetInThread(marker.grey);
    const done = performance.now();
    wallMs.push(Math.round(done - started));
    normalizeMs.push(Math.round(normalized - started));
    compileMs.push(Math.round(done - normalized));
    const used = process.cpuUsage(cpu);
    cpuMs.push(Math.round((used.user + used.system) / 1000));
  }
  return {
    runs,
    sourceWidth: marker?.source.width ?? 0,
    sourceHeight: marker?.source.height ?? 0,
    sourceBytes: upload.length,
    width: marker?.width ?? 0,
    height: marker?.height ?? 0,
    compileWidth: marker?.grey.width ?? 0,
    compileHeight: marker?.grey.height ?? 0,
    wallMs,
    cpuMs,
    normalizeMs,
    compileMs,
    medianWallMs: median(wallMs),
    medianCpuMs: median(cpuMs),
    matchingPoints: last?.matchingPoints ?? 0,
    trackingPoints: last?.trackingPoints ?? 0,
    mindBytes: last?.mind.length ?? 0,
    // maxRSS is in KiB on Linux.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    startRssMb: Math.round(startRss / 1_048_576),
  };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, size: { type: 'string' } },
  });
  const r = await benchmarkMarkerCompile({
    runs: Number(values.runs),
    ...(values.size ? { longSidePx: Number(values.size) } : {}),
  });
  process.stdout.write(
    `marker compile of a ${r.sourceWidth}×${r.sourceHeight} upload (${Math.round(r.sourceBytes / 1024)} KiB) → ` +
      `${r.width}×${r.height} marker, compiled at ${r.compileWidth}×${r.compileHeight} (COMPILE_LONG_SIDE_PX ` +
      `${COMPILE_LONG_SIDE_PX}), ${r.runs} runs: median wall ${r.medianWallMs} ms, median CPU ${r.medianCpuMs} ms ` +
      `(wall ${r.wallMs.join(', ')} ms = normalize ${r.normalizeMs.join(', ')} + compile ${r.compileMs.join(', ')}; ` +
      `CPU ${r.cpuMs.join(', ')} ms); ${r.matchingPoints} matching and ${r.trackingPoints} tracking points, ` +
      `${Math.round(r.mindBytes / 1024)} KiB .mind, peak RSS ${r.peakRssMb} MiB (${r.startRssMb} MiB before)\n`,
  );
}
