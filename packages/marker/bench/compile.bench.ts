// Marker compile benchmark: compiles a generated 1024 px marker N times and reports median wall and CPU time.
// Run alone with `node bench/compile.bench.ts [--runs N] [--size PX]`; the repository's bench suite imports it.
import { parseArgs } from 'node:util';
import { compileMindTarget } from '../src/compile.ts';
import { loadMindAr } from '../src/mind-ar.ts';
import { normalizeMarker } from '../src/normalize.ts';
import { generateMarkerImage } from '../src/testing.ts';

export interface CompileBenchResult {
  runs: number;
  width: number;
  height: number;
  wallMs: number[];
  cpuMs: number[];
  medianWallMs: number;
  medianCpuMs: number;
  matchingPoints: number;
  trackingPoints: number;
  mindBytes: number;
  peakRssMb: number;
}

export async function benchmarkMarkerCompile({ runs = 3, longSidePx = 1024 } = {}): Promise<CompileBenchResult> {
  const marker = await normalizeMarker(
    await generateMarkerImage('busy', longSidePx, Math.round((longSidePx * 3) / 4), 'jpeg'),
  );
  // Loading TensorFlow.js and mind-ar happens once per process; it is not part of a compile.
  await loadMindAr();
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  let last: Awaited<ReturnType<typeof compileMindTarget>> | undefined;
  try {
    for (let run = 0; run < runs; run++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      last = await compileMindTarget(marker.jpeg);
      wallMs.push(Math.round(performance.now() - started));
      const used = process.cpuUsage(cpu);
      cpuMs.push(Math.round((used.user + used.system) / 1000));
    }
  } finally {
    clearInterval(sampler);
  }
  return {
    runs,
    width: marker.width,
    height: marker.height,
    wallMs,
    cpuMs,
    medianWallMs: median(wallMs),
    medianCpuMs: median(cpuMs),
    matchingPoints: last?.matchingPoints ?? 0,
    trackingPoints: last?.trackingPoints ?? 0,
    mindBytes: last?.mind.length ?? 0,
    peakRssMb: Math.round(peakRss / 1_048_576),
  };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, size: { type: 'string', default: '1024' } },
  });
  const result = await benchmarkMarkerCompile({
    runs: Number(values.runs),
    longSidePx: Number(values.size),
  });
  process.stdout.write(
    `marker compile ${result.width}×${result.height}, ${result.runs} runs: median wall ${result.medianWallMs} ms, ` +
      `median CPU ${result.medianCpuMs} ms (wall ${result.wallMs.join(', ')} ms; CPU ${result.cpuMs.join(', ')} ms); ` +
      `${result.matchingPoints} matching and ${result.trackingPoints} tracking points, ${Math.round(result.mindBytes / 1024)} KiB .mind, ` +
      `peak RSS ${result.peakRssMb} MiB\n`,
  );
}
