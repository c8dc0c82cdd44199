// Random inputs per procedure (fast-check): bad input may be refused, but never with INTERNAL_SERVER_ERROR. 300 per
// procedure in `pnpm test` (the same seeds every run); FUZZ_RUNS=1000 (or more) for a longer run. With 130-odd
// procedures, 1,000 each made the fuzzers most of the suite's CPU time and pushed CI past 30 minutes on 2 cores.
// The procedures are split across six test files (fuzz-*.test.ts) so they run in parallel with the rest.
import { createCaller, createContextInner } from '@arvlite/api';
import { processEnv } from '@arvlite/config';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callPath, listProcedures } from './router-walk.ts';

const RUNS = Number(processEnv().FUZZ_RUNS ?? 300);
/** The fuzz-*.test.ts files: each runs one shard of the procedures. */
export const FUZZ_SHARDS = 6;

export function fuzzShard(shard: number, shards: number) {
  let deps: Awaited<ReturnType<typeof createTestDeps>>;
  let caller: ReturnType<typeof createCaller>;
  const ownIds: string[] = [];

  beforeAll(async () => {
    deps = await createTestDeps();
    const anon = createCaller(createContextInner(deps, { requestId: 'fuzz-setup', ip: '10.1.1.1' }));
    await anon.auth.register({ email: 'fuzzer@example.com', password: 'fuzzing-is-fun-123', name: 'Fuzzer' });
    const me = await anon.auth.login({ email: 'fuzzer@example.com', password: 'fuzzing-is-fun-123' });
    caller = createCaller(createContextInner(deps, { requestId: 'fuzz', ip: '10.1.1.2', accessToken: me.accessToken }));
    const company = await caller.company.create({ name: 'Fuzz Co' });
    const project = await caller.project.create({ companyId: company.id, name: 'Fuzz project' });
    ownIds.push(company.id, project.id, me.user.id);
  });

  const nasty = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'x'.repeat(10_001),
      'Ünïcödé@ÉXAMPLE.com',
      'MiXeD.CaSe@Example.COM',
      '../../etc/passwd',
      "'; drop table app_user; --",
      '{"$gt":""}',
      'Europe/Berlin',
      'viewer',
      'owner',
    ),
    fc.emailAddress(),
    fc.uuid(),
    fc.integer(),
    fc.double(),
    fc.bigInt().map(String),
    fc.boolean(),
    fc.constant(null),
    fc.date({ noInvalidDate: true }),
    fc.array(fc.integer({ min: -5, max: 20_000 }), { maxLength: 120 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  );

  function inputArbitrary(schema: z.ZodType | undefined) {
    // Unions of objects (one per kind) are fuzzed with the keys of all their options.
    const objects = schema instanceof z.ZodUnion ? (schema.options as z.ZodType[]) : [schema];
    const shape = Object.assign(
      {},
      ...objects.map((o) => (o instanceof z.ZodObject ? (o.shape as Record<string, z.ZodType>) : {})),
    ) as Record<string, z.ZodType>;
    const keys = Object.keys(shape);
    const value = fc.oneof(
      { weight: 3, arbitrary: nasty },
      { weight: 1, arbitrary: fc.constantFrom(...(ownIds.length ? ownIds : ['x'])) },
    );
    const record = keys.length
      ? fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] })
      : fc.constant({});
    return fc.oneof(
      { weight: 6, arbitrary: record },
      {
        weight: 1,
        arbitrary: fc
          .tuple(record, fc.string({ minLength: 1, maxLength: 12 }), nasty)
          .map(([r, k, v]) => ({ ...r, [k]: v })),
      },
      { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  }

  describe(`fuzzing every procedure (shard ${shard + 1} of ${shards})`, () => {
    for (const p of listProcedures().filter((_, i) => i % shards === shard)) {
      it(`${p.path} never answers INTERNAL_SERVER_ERROR`, async () => {
        await fc.assert(
          fc.asyncProperty(inputArbitrary(p.input), async (input) => {
            try {
              await callPath(caller, p.path, input);
            } catch (e) {
              if (!(e instanceof TRPCError)) throw e;
              if (e.code === 'INTERNAL_SERVER_ERROR') {
                throw new Error(
                  `${p.path}(${JSON.stringify(input)?.slice(0, 300)}) → INTERNAL_SERVER_ERROR: ${String(e.cause)}`,
                );
              }
            }
          }),
          { numRuns: RUNS, seed: 20261122 + p.path.length },
        );
        expect(true).toBe(true);
      }, 120_000);
    }
  });
}
