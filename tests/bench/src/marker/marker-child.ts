// Runs packages/marker/bench/compile.bench.ts (compileMindTarget on a generated 1024 px marker, CPU and wall time
// per compile) in a process of its own and prints its result as one JSON line.
//
//   node marker-child.ts <runs> <long side px>
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../services.ts';

interface MarkerBenchModule {
  benchmarkMarkerCompile(opts: { runs?: number; longSidePx?: number }): Promise<unknown>;
}

const [runs = '3', size = '1024'] = process.argv.slice(2);
// By path: the package exports only its src/index.ts, and the bench script lives beside src/.
const file = pathToFileURL(`${repoRoot}/packages/marker/bench/compile.bench.ts`).href;
const { benchmarkMarkerCompile } = (await import(file)) as MarkerBenchModule;
const result = await benchmarkMarkerCompile({ runs: Number(runs), longSidePx: Number(size) });
process.stdout.write(`${JSON.stringify(result)}\n`);
