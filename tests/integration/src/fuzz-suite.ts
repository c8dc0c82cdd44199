// Random inputs per procedure (fast-check): bad input may be refused, but never with INTERNAL_SERVER_ERROR. 300 per
// procedure in `pnpm test` (the same seeds every run; 30 for a procedure without input, fewer for the COSTLY ones);
// FUZZ_RUNS=1000 (or more) for a longer run. With 150-odd procedures, 1,000 each made the fuzzers most of the suite's
// CPU time and pushed CI past 30 minutes on 2 cores.
// The procedures are split across six test files (fuzz-*.test.ts) so they run in parallel with the rest.
//
// Inputs are built from each procedure's zod schema (through its JSON Schema), with ids and tokens drawn from a seeded
// world of the fuzz user's objects (fuzz-world.ts) mixed with random ones, and some inputs broken on purpose. Every
// call has a fresh context (its own ORM session, as a request has) from a client address of its own. Each procedure
// must reach its service code in some inputs (DOOR and UNREACHABLE below); the shares are printed and written to
// .data/fuzz-reach/ (one JSON file per shard and reach.md, the table of all shards present).
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCaller, createContextInner, type ApiDeps } from '@arvlite/api';
import { processEnv } from '@arvlite/config';
import { createTestDeps } from '@arvlite/test-utils';
import { TRPCError } from '@trpc/server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startMockOidc } from './oidc-mock.ts';
import { nextIp, repairWorld, restoreActor, seedWorld, type FuzzActor, type FuzzWorld } from './fuzz-world.ts';
import { callPath, listProcedures, type ProcedureInfo } from './router-walk.ts';

const RUNS = Number(processEnv().FUZZ_RUNS ?? 300);
/** The fuzz-*.test.ts files: each runs one shard of the procedures. */
export const FUZZ_SHARDS = 6;

export const REACH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../.data/fuzz-reach');

/**
 * The answers that say a call stopped at the door: its input refused (BAD_REQUEST), no such object or no access
 * (NOT_FOUND, FORBIDDEN), not signed in (UNAUTHORIZED), or rate-limited. A call "reached its service" when it
 * succeeded or answered any other code (CONFLICT, PRECONDITION_FAILED, …: a rule of the service refused it after the
 * input and the access checks passed). Door codes thrown by service code itself (a wrong current password, a bad
 * token) count as not reached, so the shares are lower bounds.
 */
const DOOR = new Set(['BAD_REQUEST', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHORIZED', 'TOO_MANY_REQUESTS']);

/**
 * Procedures that need not reach their service in the fuzz run, each with its reason. Every other procedure must
 * reach it in at least one input. None today: the world seeds what the rarer ones need (fuzz-world.ts).
 */
const UNREACHABLE: Record<string, string> = {};

/** The OIDC provider of the fuzz deps: the local mock (oidc-mock.ts), whose ID tokens carry these claims. */
const OIDC_PROVIDER = 'mock';
const OIDC_CLAIMS = {
  sub: 'fuzz-oidc-subject',
  email: 'fuzz-oidc@example.com',
  email_verified: true,
  name: 'Fuzz OIDC',
};

/**
 * Fewer inputs where each valid one costs far more than the rest (measured in one run of all six shards at 300 each):
 * arContent.qr renders a QR image per call (37 s), auth.login hashes per call (17 s). The cap applies to FUZZ_RUNS too.
 */
const COSTLY: Record<string, number> = { 'arContent.qr': 60, 'auth.login': 100 };

/** Which pool a field's candidates come from: by the field's name, and for `id` by the procedure's router. */
const POOL_BY_FIELD: Record<string, string> = {
  companyId: 'company',
  projectId: 'project',
  videoId: 'video',
  videoIds: 'video',
  defaultVideoId: 'video',
  arContentId: 'arContent',
  ruleId: 'rule',
  membershipId: 'membership',
  invitationId: 'invitation',
  userId: 'user',
  actorId: 'user',
  deliveryId: 'delivery',
  orderId: 'order',
  productId: 'product',
  itemId: 'orderItem',
  invoiceId: 'invoice',
  printFileId: 'printFile',
  ids: 'notification',
  jobIds: 'job',
  publicId: 'publicId',
  refreshToken: 'refreshToken',
  key: 'logoKey',
  email: 'email',
  password: 'password',
  currentPassword: 'password',
  url: 'url',
  returnUrl: 'url',
  provider: 'oidcProvider',
  redirectUri: 'oidcRedirect',
  callbackUrl: 'oidcCallbackUrl',
  binding: 'oidcBinding',
};
const POOL_BY_ROUTER: Record<string, string> = {
  company: 'company',
  project: 'project',
  video: 'video',
  arContent: 'arContent',
  playlist: 'arContent',
  webhook: 'webhook',
  apiKey: 'apiKey',
  product: 'product',
  order: 'order',
};

function poolFor(path: string, key: string): string | undefined {
  const router = path.split('.')[0]!;
  if (key === 'sessionId') return router === 'viewer' ? 'viewerSession' : 'session';
  if (key === 'token') {
    if (router === 'customerUpload') return 'uploadToken';
    if (path === 'auth.acceptInvite') return 'inviteToken';
    if (path === 'auth.verifyEmail') return 'verifyToken';
    if (path === 'auth.resetPassword') return 'resetToken';
    return undefined;
  }
  if (path === 'arContent.revokeUploadLink' && key === 'id') return 'uploadLink';
  if (key === 'id') return POOL_BY_ROUTER[router];
  if (key === 'targetId') return 'any';
  return POOL_BY_FIELD[key];
}

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

type Json = Record<string, unknown>;

/** Procedures that also get whole inputs from the world (FuzzWorld.inputs): their fields must agree with each other. */
const SEEDED_INPUTS = new Set(['auth.oidcCallback']);

/** The JSON Schema of an input (zod's own conversion, input side); dates are marked, as JSON Schema has none. */
function jsonSchemaOf(schema: z.ZodType): Json | undefined {
  try {
    return z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
      override: (ctx) => {
        if (ctx.zodSchema._zod.def.type === 'date') ctx.jsonSchema['x-date'] = true;
      },
    }) as Json;
  } catch {
    return undefined;
  }
}

/** Values that mostly fit the schema, ids and tokens from the world's pools where the field names an object. */
function fromSchema(
  s: Json,
  ctx: { path: string; key: string; world: () => FuzzWorld; root: Json },
  depth = 0,
): fc.Arbitrary<unknown> {
  if (depth > 6) return nasty;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    const defs = (ctx.root.$defs ?? ctx.root.definitions ?? {}) as Record<string, Json>;
    return defs[name] ? fromSchema(defs[name], ctx, depth + 1) : nasty;
  }
  const options = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (options) return fc.oneof(...options.map((o) => fromSchema(o, ctx, depth + 1)));
  if (s.allOf) return fromSchema((s.allOf as Json[])[0]!, ctx, depth + 1);
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if (s['x-date']) return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true });
  const type = Array.isArray(s.type) ? (s.type as string[])[0] : (s.type as string | undefined);
  const pool = poolFor(ctx.path, ctx.key);
  const drawn = (fallback: fc.Arbitrary<unknown>) => {
    if (!pool) return fallback;
    const candidates = pool === 'any' ? Object.values(ctx.world().pool).flat() : (ctx.world().pool[pool] ?? []);
    if (!candidates.length) return fallback;
    // Read when drawn, not when built: the world is seeded after the arbitraries are made.
    return fc.oneof(
      { weight: 4, arbitrary: fc.nat().map((i) => candidates[i % candidates.length]) },
      { weight: 1, arbitrary: fallback },
    );
  };
  switch (type) {
    case 'string': {
      const min = (s.minLength as number | undefined) ?? 0;
      const max = Math.min((s.maxLength as number | undefined) ?? 60, Math.max(min, 80));
      const format = s.format as string | undefined;
      let base: fc.Arbitrary<unknown>;
      if (format === 'uuid') base = fc.uuid();
      else if (format === 'email') base = fc.emailAddress();
      else if (format === 'uri' || format === 'url') base = fc.webUrl();
      else if (format === 'date-time') base = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      else if (format === 'date') {
        base = fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true });
        base = base.map((d) => (d as Date).toISOString().slice(0, 10));
      } else if (typeof s.pattern === 'string') {
        let re: RegExp | undefined;
        try {
          re = new RegExp(s.pattern);
        } catch {
          re = undefined;
        }
        // No filter on the length (a rarely met one spins): zod refuses what is too short or long.
        base = re ? fc.stringMatching(re) : fc.string({ minLength: min, maxLength: max });
      } else base = fc.string({ minLength: min, maxLength: max });
      return drawn(base);
    }
    case 'integer':
    case 'number': {
      const lo = (s.minimum as number | undefined) ?? (s.exclusiveMinimum as number | undefined) ?? -1000;
      const hi = (s.maximum as number | undefined) ?? (s.exclusiveMaximum as number | undefined) ?? 1_000_000;
      const min = Math.max(lo, Number.MIN_SAFE_INTEGER);
      const max = Math.min(hi, Number.MAX_SAFE_INTEGER);
      const ints = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
      return type === 'integer'
        ? fc.oneof(ints, fc.constantFrom(Math.ceil(min), Math.floor(max)))
        : fc.oneof(ints, fc.double({ min, max, noNaN: true }));
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = (s.items as Json | undefined) ?? {};
      const minLength = (s.minItems as number | undefined) ?? 0;
      const maxLength = Math.min((s.maxItems as number | undefined) ?? 5, Math.max(minLength, 5));
      return fc.array(fromSchema(items, ctx, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Json>;
      const keys = Object.keys(props);
      if (!keys.length && s.additionalProperties && typeof s.additionalProperties === 'object') {
        const value = fromSchema(s.additionalProperties as Json, ctx, depth + 1);
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), value, { maxKeys: 3 });
      }
      const required = new Set((s.required as string[] | undefined) ?? []);
      const arbs = Object.fromEntries(keys.map((k) => [k, fromSchema(props[k]!, { ...ctx, key: k }, depth + 1)]));
      // Required keys always, optional ones half the time.
      return fc.record(arbs, { requiredKeys: keys.filter((k) => required.has(k)) });
    }
    default:
      return drawn(nasty);
  }
}

/** Inputs for a procedure: mostly schema-shaped (some with a field broken), and the old fully random ones. */
function inputArbitrary(p: ProcedureInfo, world: () => FuzzWorld): fc.Arbitrary<unknown> {
  const schema = p.input;
  if (!schema) return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, fc.anything({ maxDepth: 1 }));
  const json = jsonSchemaOf(schema);
  const shaped = json ? fromSchema(json, { path: p.path, key: '', world, root: json }) : nasty;
  const broken = fc
    .tuple(shaped, fc.string({ minLength: 1, maxLength: 12 }), nasty, fc.boolean())
    .map(([v, k, x, known]) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
      const keys = Object.keys(v);
      const key = known && keys.length ? keys[k.length % keys.length]! : k;
      return { ...v, [key]: x };
    });
  // The old fuzzer's inputs: any of the schema's keys (of every union option), each a random value or a world id.
  const objects = schema instanceof z.ZodUnion ? (schema.options as z.ZodType[]) : [schema];
  const shape = Object.assign(
    {},
    ...objects.map((o) => (o instanceof z.ZodObject ? (o.shape as Record<string, z.ZodType>) : {})),
  ) as Record<string, z.ZodType>;
  const keys = Object.keys(shape);
  // Whole seeded inputs (read when drawn), for the procedures the world has them for.
  const seeded = fc.nat().map((i) => {
    const inputs = world().inputs[p.path] ?? [];
    return inputs.length ? inputs[i % inputs.length] : undefined;
  });
  const anyId = fc.nat().map((i) => {
    const all = Object.values(world().pool).flat();
    return all[i % all.length];
  });
  const value = fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 1, arbitrary: anyId });
  const record = keys.length
    ? fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] })
    : fc.constant({});
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 2, arbitrary: broken },
    { weight: 1, arbitrary: record },
    { weight: 1, arbitrary: fc.oneof(fc.anything({ maxDepth: 2 }), fc.constant(undefined)) },
    ...(SEEDED_INPUTS.has(p.path) ? [{ weight: 1, arbitrary: seeded }] : []),
  );
}

interface Tally {
  calls: number;
  valid: number;
  reached: number;
  ok: number;
  codes: Record<string, number>;
}

function isAlive(deps: ApiDeps, actor: FuzzActor): Promise<boolean> {
  const caller = createCaller(
    createContextInner(deps, { requestId: 'fuzz-check', ip: nextIp(), accessToken: actor.token }),
  );
  return caller.auth.me().then(
    () => true,
    () => false,
  );
}

/** The table of every shard's file present in REACH_DIR, as markdown. */
function writeReachTable(): string {
  const rows: [string, Tally][] = [];
  for (const f of readdirSync(REACH_DIR)
    .filter((n) => /^shard-\d+\.json$/.test(n))
    .sort()) {
    rows.push(...(Object.entries(JSON.parse(readFileSync(join(REACH_DIR, f), 'utf8'))) as [string, Tally][]));
  }
  rows.sort(([a], [b]) => a.localeCompare(b));
  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '-');
  const lines = [
    '| procedure | calls | valid input | reached service | succeeded | answers |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows.map(
      ([path, t]) =>
        `| ${path} | ${t.calls} | ${pct(t.valid, t.calls)} | ${pct(t.reached, t.calls)} | ${pct(t.ok, t.calls)} | ${Object.entries(
          t.codes,
        )
          .sort(([, a], [, b]) => b - a)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')} |`,
    ),
  ];
  writeFileSync(join(REACH_DIR, 'reach.md'), `${lines.join('\n')}\n`);
  return lines.join('\n');
}

export function fuzzShard(shard: number, shards: number) {
  let deps: ApiDeps;
  let world: FuzzWorld;
  let oidc: Awaited<ReturnType<typeof startMockOidc>> | undefined;
  const tallies: Record<string, Tally> = {};

  beforeAll(async () => {
    oidc = await startMockOidc();
    oidc.setClaims(OIDC_CLAIMS);
    deps = (await createTestDeps({
      OIDC_PROVIDERS: JSON.stringify([
        {
          id: OIDC_PROVIDER,
          issuer: oidc.issuer,
          clientId: 'arvlite-fuzz',
          clientSecret: randomUUID(),
          label: 'Mock ID',
          allowInsecure: true,
        },
      ]),
    })) as ApiDeps;
    world = await seedWorld(deps, {
      provider: OIDC_PROVIDER,
      redirectUri: `${deps.config.http.publicUrl}/auth/callback/${OIDC_PROVIDER}`,
    });
  }, 120_000);

  afterAll(async () => {
    await oidc?.stop();
    mkdirSync(REACH_DIR, { recursive: true });
    writeFileSync(join(REACH_DIR, `shard-${shard + 1}.json`), `${JSON.stringify(tallies, null, 2)}\n`);
    const table = writeReachTable();
    console.log(`Fuzz reach (shards in ${REACH_DIR}):\n${table}`);
  });

  /** One call with a context of its own; a call after one that ended the actor's session runs again signed in. */
  async function call(p: ProcedureInfo, input: unknown): Promise<{ ok: true } | { ok: false; error: unknown }> {
    const actor = p.path.startsWith('admin.') ? world.operator : world.user;
    const once = async () => {
      const ctx = createContextInner(deps, { requestId: `fuzz-${p.path}`, ip: nextIp(), accessToken: actor.token });
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${p.path}(${JSON.stringify(input)?.slice(0, 300)}) did not answer in 30 s`)),
          30_000,
        );
      });
      try {
        await Promise.race([callPath(createCaller(ctx), p.path, input), hung]);
        return { ok: true as const };
      } catch (error) {
        if (error instanceof Error && error.message.endsWith('did not answer in 30 s')) throw error;
        return { ok: false as const, error };
      } finally {
        clearTimeout(timer);
      }
    };
    const first = await once();
    if (first.ok || !(first.error instanceof TRPCError) || first.error.code !== 'UNAUTHORIZED') return first;
    if (await isAlive(deps, actor)) return first;
    await restoreActor(deps, actor, world);
    await repairWorld(deps, world);
    return once();
  }

  // Queries first, then mutations, then the ones that end things, and last the ones that delete or archive whole
  // objects: the objects later procedures need are still there when they run (a shard holding arContent.delete before
  // arContent.rejectCustomerVideo or playlist.removeRule left those two nothing to reach).
  const ending = /delete|archive|remove|revoke|cancel|logout|disable|suspend|signOut|refund|abort|reject|reset/i;
  const destroys = /\.(delete|archive)$/;
  const rank = (p: ProcedureInfo) =>
    p.type !== 'mutation' ? 0 : destroys.test(p.path) ? 3 : ending.test(p.path) ? 2 : 1;
  const mine = listProcedures()
    .filter((_, i) => i % shards === shard)
    .sort((a, b) => rank(a) - rank(b));

  describe(`fuzzing every procedure (shard ${shard + 1} of ${shards})`, () => {
    for (const p of mine) {
      it(`${p.path} never answers INTERNAL_SERVER_ERROR, and reaches its service`, async () => {
        const tally: Tally = (tallies[p.path] = { calls: 0, valid: 0, reached: 0, ok: 0, codes: {} });
        // A procedure without input has few to try (none, or junk refused): 30 do; each may cost a sign-in.
        const runs = Math.min(RUNS, p.input ? (COSTLY[p.path] ?? RUNS) : 30);
        await fc.assert(
          fc.asyncProperty(
            inputArbitrary(p, () => world),
            async (input) => {
              tally.calls++;
              if (!p.input || p.input.safeParse(input).success) tally.valid++;
              const result = await call(p, input);
              if (result.ok) {
                tally.ok++;
                tally.reached++;
                tally.codes.OK = (tally.codes.OK ?? 0) + 1;
                return;
              }
              const e = result.error;
              if (!(e instanceof TRPCError)) throw e;
              tally.codes[e.code] = (tally.codes[e.code] ?? 0) + 1;
              if (e.code === 'INTERNAL_SERVER_ERROR') {
                throw new Error(
                  `${p.path}(${JSON.stringify(input)?.slice(0, 300)}) → INTERNAL_SERVER_ERROR: ${String(e.cause)}`,
                );
              }
              if (!DOOR.has(e.code)) tally.reached++;
            },
          ),
          { numRuns: runs, seed: 20261122 + p.path.length },
        );
        await repairWorld(deps, world);
        expect(tally.calls).toBeGreaterThanOrEqual(runs);
        if (p.path in UNREACHABLE) return;
        expect(tally.reached, `${p.path} never got past the door: ${JSON.stringify(tally.codes)}`).toBeGreaterThan(0);
      }, 240_000);
    }
  });
}
