// node bench/detect-resolutions.ts [widthMm] [sizes…]: detection rate over distance and tilt of the busy and the
// symmetric test images compiled at several working resolutions, as a Markdown table.
import { compareWorkingResolutions, resolutionTable, testSetImage } from '../src/detect/index.ts';
import { normalizeMarker } from '../src/index.ts';

const widthMm = Number(process.argv[2] ?? 150);
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : undefined;
for (const kind of ['busy', 'symmetric'] as const) {
  const { jpeg } = await normalizeMarker(await testSetImage(kind));
  const rows = await compareWorkingResolutions({ pixels: jpeg, widthMm, ...(sizes ? { sizes } : {}) });
  console.log(`\n${kind}, printed ${widthMm} mm wide:\n\n${resolutionTable(rows)}`);
}
