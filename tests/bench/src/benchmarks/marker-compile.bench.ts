// Marker compile: `compileMindTarget` from @arvlite/marker on a generated 1024 px marker, through the package's own
// bench script (packages/marker/bench/compile.bench.ts) run in a child process. Absolute: CPU seconds per compile.
import { fileURLToPath } from 'node:url';
import { processEnv } from '@arvlite/config';
import type { CompileBenchResult } from '@arvlite/marker/bench';
import { round, row, type Benchmark } from '../harness.ts';

const CHILD = fileURLToPath(new URL('../marker/marker-child.ts', import.meta.url));

export const markerCompile: Benchmark = {
  name: 'Marker compile',
  feature: '`compileMindTarget` (packages/marker)',
  ours: '`compileMindTarget` on a generated 1024 px marker (normalized first), median of N compiles in a process of its own; TensorFlow.js and mind-ar loading excluded',
  baseline:
    "(absolute) MindAR's own compiler is not run: its OfflineCompiler needs node-canvas and the browser one a Web Worker",
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const lines: string[] = [];
    const child = ctx.processes.spawnNode('marker-compile', CHILD, [String(runs), '1024'], {
      env: { ...processEnv() },
      stdout: 'pipe',
      onStdout: (line) => lines.push(line),
      nodeArgs: ctx.nodeArgs('marker-compile'),
    });
    const exit = await child.exited;
    if (exit.code !== 0)
      throw new Error(`marker compile exited with ${exit.signal ?? `code ${exit.code}`}:\n${child.stderrTail()}`);
    const r = JSON.parse(lines.findLast((l) => l.startsWith('{')) ?? 'null') as CompileBenchResult | null;
    if (!r) throw new Error('the marker bench printed no result');
    const cpuS = r.medianCpuMs / 1000;
    return [
      row({
        benchmark: this.name,
        metric: `${r.width}×${r.height} marker, CPU per compile`,
        unit: 's',
        ours: round(cpuS, 2),
        target: '≤ 10 s CPU',
        pass: cpuS <= 10,
        details: {
          runs: r.runs,
          cpuMs: r.cpuMs,
          wallMs: r.wallMs,
          medianWallMs: r.medianWallMs,
          matchingPoints: r.matchingPoints,
          trackingPoints: r.trackingPoints,
          mindKiB: Math.round(r.mindBytes / 1024),
          peakRssMiB: r.peakRssMb,
        },
      }),
    ];
  },
};
