// tsc against the real AppRouter: renaming a procedure the app calls, or changing its input, fails this test.
import { describe, expect, it } from 'vitest';
import { partitionDiagnostics, typecheck } from '../scripts/typecheck.ts';

describe('typecheck', () => {
  it('the app compiles against the real AppRouter', () => {
    const result = typecheck();
    expect(result.own).toEqual([]);
  }, 180_000);

  it('counts diagnostics in the app and ignores those in server sources compiled for their types', () => {
    const output = [
      "src/screens/viewer-screen.tsx(12,30): error TS2339: Property 'manifest' does not exist on type 'DecoratedProcedureRecord<...>'.",
      "../../packages/api/src/video-events.ts(36,129): error TS2339: Property 'unref' does not exist on type 'number'.",
      "test/router-canary.ts(6,1): error TS2578: Unused '@ts-expect-error' directive.",
      '  a continuation line',
      'error TS5083: Cannot read file tsconfig.json.',
    ].join('\n');
    const { own, others } = partitionDiagnostics(output);
    expect(own).toHaveLength(3);
    expect(own[1]).toContain('a continuation line');
    expect(others).toEqual([expect.stringContaining('video-events.ts')]);
  });
});
