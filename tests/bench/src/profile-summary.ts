// Summarises .cpuprofile files (from `pnpm bench --profile`) by package and by function, self time only:
//
//   node tests/bench/src/profile-summary.ts .data/bench/profiles/ql-ours [--top 25] [--under packages/,apps/]
//
// --under lists inclusive time (self + callees) of functions whose file path contains one of the given strings:
// what our own code costs, including the libraries it calls.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** node_modules/.pnpm/<store>/node_modules/<pkg>/… → <pkg>; our workspace → its folder; node internals → node. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node';
  const m = /\/(apps|packages|tests|tooling)\/([^/]+)\//.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  return url;
}

export function summarise(profile: Profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const pkg = packageOf(n.callFrame.url, n.callFrame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${pkg}${n.callFrame.url ? `:${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    total += us;
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalUs: total,
    byPackage: sorted(byPackage),
    byFunction: sorted(byFunction),
    byId,
    selfUs,
  };
}

/** Inclusive time of functions whose url contains one of `under`, counted once per stack (no double counting). */
export function inclusive(profile: Profile, under: string[]) {
  const { byId, selfUs } = summarise(profile);
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${packageOf(n.callFrame.url, n.callFrame.functionName)}:${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const out = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (!under.some((u) => n.callFrame.url.includes(u))) continue;
      const k = key(n);
      if (seen.has(k)) continue;
      seen.add(k);
      out.set(k, (out.get(k) ?? 0) + us);
    }
  }
  return [...out].sort((a, b) => b[1] - a[1]);
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '20' }, under: { type: 'string' } },
  });
  const top = Number(values.top);
  for (const target of positionals) {
    const files = (await stat(target)).isDirectory()
      ? (await readdir(target)).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(target, f))
      : [target];
    for (const file of files) {
      const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
      const s = summarise(profile);
      const busy = s.byPackage.filter(([p]) => p !== '(idle)').reduce((n, [, us]) => n + us, 0);
      const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
      process.stdout.write(
        `\n${file}: ${(busy / 1000).toFixed(0)} ms on CPU (of ${(s.totalUs / 1000).toFixed(0)} ms)\n  by package:\n`,
      );
      for (const [p, us] of s.byPackage.filter(([p]) => p !== '(idle)').slice(0, top)) {
        process.stdout.write(`    ${pct(us)}  ${p}\n`);
      }
      process.stdout.write('  by function:\n');
      for (const [f, us] of s.byFunction.filter(([f]) => !f.startsWith('(idle)')).slice(0, top)) {
        process.stdout.write(`    ${pct(us)}  ${f}\n`);
      }
      if (values.under) {
        process.stdout.write(`  inclusive, under ${values.under}:\n`);
        for (const [f, us] of inclusive(profile, values.under.split(',')).slice(0, top)) {
          process.stdout.write(`    ${pct(us)}  ${(us / 1000).toFixed(0).padStart(6)} ms  ${f}\n`);
        }
      }
    }
  }
}

if (import.meta.main) await main();
