// Typechecks the app against the real AppRouter. The router's types are inferred from the server's sources, so tsc
// compiles those too, but here under React Native's globals (where setTimeout returns a number): only diagnostics
// in this app's own files count. The server packages are typechecked by their own `typecheck`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export const appDir = path.resolve(import.meta.dirname, '..');

export interface TypecheckResult {
  status: number | null;
  /** Diagnostics in apps/mobile (or about the configuration itself). */
  own: string[];
  /** Diagnostics in other packages' sources, compiled here only for their types. */
  others: string[];
}

/** Splits `tsc --pretty false` output into diagnostics (a first line plus its indented continuation lines). */
export function partitionDiagnostics(output: string): Pick<TypecheckResult, 'own' | 'others'> {
  const diagnostics: string[] = [];
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    if (/^\s/.test(line) && diagnostics.length > 0) diagnostics[diagnostics.length - 1] += `\n${line}`;
    else diagnostics.push(line);
  }
  const own: string[] = [];
  const others: string[] = [];
  for (const d of diagnostics) (d.startsWith('../') || d.includes('/node_modules/') ? others : own).push(d);
  return { own, others };
}

export function typecheck(project = path.join(appDir, 'tsconfig.json')): TypecheckResult {
  const tsc = createRequire(path.join(appDir, 'package.json')).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', project], {
    cwd: appDir,
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  return { status: run.status, ...partitionDiagnostics(`${run.stdout}\n${run.stderr}`) };
}

if (import.meta.main) {
  const result = typecheck();
  for (const d of result.own) console.error(d);
  if (result.others.length > 0)
    console.log(
      `(${result.others.length} diagnostics in other packages' sources ignored; their own typecheck covers them)`,
    );
  process.exitCode = result.own.length > 0 || (result.status !== 0 && result.others.length === 0) ? 1 : 0;
}
