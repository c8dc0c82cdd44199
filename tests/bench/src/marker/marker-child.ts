// Runs @arvlite/marker's compile benchmark (compileMindTarget on a generated marker, CPU and wall time per compile)
// in a process of its own and prints its result as one JSON line.
//
//   node marker-child.ts <runs> <long side px>
import { benchmarkMarkerCompile } from '@arvlite/marker/bench';

const [runs = '3', size = '1024'] = process.argv.slice(2);
const result = await benchmarkMarkerCompile({ runs: Number(runs), longSidePx: Number(size) });
process.stdout.write(`${JSON.stringify(result)}\n`);
