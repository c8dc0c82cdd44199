// Runs @arvlite/marker's compile benchmark (normalizeMarker + the compile in its worker thread, as marker:compile does
// it) in a process of its own on the photo file given, and prints its result as one JSON line.
//
//   node marker-child.ts <runs> <photo file>
import { readFile } from 'node:fs/promises';
import { benchmarkMarkerCompile } from '@arvlite/marker/bench';

const [runs = '3', photo] = process.argv.slice(2);
if (!photo) throw new Error('usage: marker-child.ts <runs> <photo file>');
const result = await benchmarkMarkerCompile({ runs: Number(runs), upload: await readFile(photo) });
process.stdout.write(`${JSON.stringify(result)}\n`);
