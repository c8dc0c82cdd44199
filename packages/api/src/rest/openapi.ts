// The REST surface: the procedures that declare `rest(...)` meta, the OpenAPI 3.1 document generated from them with
// trpc-to-openapi, and the wire codec (query strings and ISO dates in, plain JSON and stable error objects out).
import { inputs } from '@arvlite/contract';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { getErrorShape } from '@trpc/server/unstable-core-do-not-import';
import { generateOpenApiDocument } from 'trpc-to-openapi';
import { z } from 'zod';
import { appRouter } from '../root.ts';
import type { RestMeta } from './meta.ts';
import { errorSchema } from './schemas.ts';

/** Where REST lives; the document's paths are relative to it. */
export const REST_BASE = '/api/v1';

interface AnyProcedure {
  _def: { type: 'query' | 'mutation' | 'subscription'; meta?: RestMeta; inputs: z.ZodType[]; output?: unknown };
}

export interface RestRoute {
  /** The procedure's path in the router, e.g. `video.byId`. */
  procedure: string;
  type: 'query' | 'mutation';
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** As the document writes it, under REST_BASE: `/videos/{id}`. */
  path: string;
  input: z.ZodType | undefined;
  output: z.ZodType;
  protect: boolean;
}

const procedures = () => (appRouter._def as unknown as { procedures: Record<string, AnyProcedure> }).procedures;

/** Every procedure served as REST, from the router's own meta: nothing is listed twice. */
export function restRoutes(): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [procedure, p] of Object.entries(procedures())) {
    const { openapi, restOutput } = p._def.meta ?? {};
    if (!openapi) continue;
    if (!restOutput || p._def.type === 'subscription')
      throw new Error(`${procedure}: REST needs restOutput, no subscriptions`);
    routes.push({
      procedure,
      type: p._def.type,
      method: openapi.method,
      path: openapi.path,
      input: p._def.inputs[0],
      output: restOutput,
      protect: openapi.protect !== false,
    });
  }
  return routes;
}

/** Sections other modules add to the document (the webhooks section: event name → its payload, documented). */
export interface OpenApiExtension {
  webhooks?: Record<string, unknown>;
  schemas?: Record<string, z.ZodType>;
  tags?: { name: string; description?: string }[];
}
const extensions: (() => OpenApiExtension)[] = [];

/** Adds to every document generated from now on; e.g. the webhooks module registers its events' payloads here. */
export function registerOpenApiExtension(extension: () => OpenApiExtension): void {
  extensions.push(extension);
}

// Input dates are Date objects in the procedures; on the wire they are ISO-8601 strings.
z.globalRegistry.add(inputs.instant, { ...z.globalRegistry.get(inputs.instant), format: 'date-time' });

/** The OpenAPI 3.1 document of the REST API, generated from the router (trpc-to-openapi + zod-openapi). */
export function openApiDocument(opts: { publicUrl: string }) {
  const added = extensions.map((e) => e());
  // trpc-to-openapi reads a procedure's output parser; the REST answers' schemas live in meta (tRPC answers are not
  // parsed with them), so the generator gets a view of the router with those as outputs.
  const view = Object.fromEntries(
    restRoutes().map((r) => {
      const p = procedures()[r.procedure]!;
      return [r.procedure, { ...p, _def: { ...p._def, output: r.output } }];
    }),
  );
  const doc = generateOpenApiDocument(
    { _def: { procedures: view } } as unknown as Parameters<typeof generateOpenApiDocument>[0],
    {
      title: 'ARVlite API',
      version: '1',
      description:
        'REST over the same procedures as the tRPC API. Authenticate with `Authorization: Bearer arv_live_…` (an API key ' +
        'from the dashboard). JSON in and out; dates are ISO-8601; lists page with `cursor` / `nextCursor`; every error ' +
        'is `{ code, message, requestId }`.',
      baseUrl: `${opts.publicUrl}${REST_BASE}`,
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: arv_live_…' } },
      defs: { Error: errorSchema, ...Object.assign({}, ...added.map((a) => a.schemas ?? {})) },
    },
  ) as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    webhooks?: Record<string, unknown>;
    tags?: { name: string }[];
  };
  // One error object everywhere, whatever trpc-to-openapi's default error shapes say.
  for (const operations of Object.values(doc.paths)) {
    for (const op of Object.values(operations)) {
      for (const status of Object.keys(op.responses)) {
        if (status === '200') continue;
        op.responses[status] = {
          description: (op.responses[status] as { description?: string }).description ?? 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
      op.responses['429'] = {
        description: 'Rate limited: retry after the `retry-after` header’s seconds',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
  }
  const schemas = (doc as { components?: { schemas?: Record<string, unknown> } }).components?.schemas ?? {};
  for (const name of Object.keys(schemas)) if (name.startsWith('error.')) delete schemas[name];
  const webhooks = Object.assign({}, ...added.map((a) => a.webhooks ?? {}));
  if (Object.keys(webhooks).length) doc.webhooks = webhooks;
  const tags = added.flatMap((a) => a.tags ?? []);
  if (tags.length) doc.tags = [...(doc.tags ?? []), ...tags];
  return doc;
}

/**
 * The procedure's input from a REST request: path parameters, then the JSON body (POST, PATCH, PUT) or the query
 * string (GET, DELETE). Strings become what the schema takes: ISO dates become Dates, and in a query string numbers,
 * booleans (`true`/`false`) and repeated keys (arrays). Anything else is left for the schema to refuse.
 */
export function restInput(route: RestRoute, params: Record<string, string>, body: unknown, query: unknown): unknown {
  const fromQuery = route.method === 'GET' || route.method === 'DELETE';
  const given = fromQuery ? (query ?? {}) : (body ?? {});
  if (typeof given !== 'object' || Array.isArray(given)) return given;
  const merged = { ...(given as Record<string, unknown>), ...params };
  return route.input ? fromWire(route.input, merged, fromQuery) : undefined;
}

function fromWire(schema: z.ZodType, value: unknown, fromQuery: boolean, depth = 0): unknown {
  if (depth > 12 || value === undefined || value === null) return value;
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return fromWire(def.innerType as z.ZodType, value, fromQuery, depth + 1);
    case 'pipe':
      return fromWire(def.in as z.ZodType, value, fromQuery, depth + 1);
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, shape[k] ? fromWire(shape[k], v, fromQuery, depth + 1) : v]),
      );
    }
    case 'array': {
      const list = fromQuery && !Array.isArray(value) ? [value] : value;
      return Array.isArray(list) ? list.map((v) => fromWire(def.element as z.ZodType, v, fromQuery, depth + 1)) : list;
    }
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : value;
    case 'number':
      return fromQuery && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    case 'boolean':
      return fromQuery && (value === 'true' || value === 'false') ? value === 'true' : value;
    default:
      if (fromQuery && Array.isArray(value) && value.length === 1) return value[0];
      return value;
  }
}

/** Calls the route's procedure as `ctx`'s caller; the answer is parsed with the documented schema (so ISO dates). */
export async function callRest(ctx: Parameters<typeof appRouter.createCaller>[0], route: RestRoute, input: unknown) {
  let fn: unknown = appRouter.createCaller(ctx);
  for (const part of route.procedure.split('.')) fn = (fn as Record<string, unknown>)[part];
  const data = await (fn as (i: unknown) => Promise<unknown>)(input);
  const parsed = route.output.safeParse(data);
  if (!parsed.success) {
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Answer does not match its schema',
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** The stable error object and HTTP status of a failed REST call, built by the one error formatter (trpc.ts). */
export function restError(cause: unknown, opts: { requestId: string; procedure?: string; ctx?: unknown }) {
  const error =
    cause instanceof TRPCError
      ? cause
      : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: cause instanceof Error ? cause : undefined });
  const shape = getErrorShape({
    config: appRouter._def._config,
    error,
    type: 'unknown',
    path: opts.procedure,
    input: undefined,
    ctx: (opts.ctx ?? { requestId: opts.requestId }) as never,
  }) as unknown as {
    message: string;
    data: {
      code: string;
      details?: Record<string, unknown>;
      fieldErrors?: Record<string, string[]>;
      formErrors?: string[];
    };
  };
  const { code, details, fieldErrors, formErrors } = shape.data;
  const body = {
    code,
    message: shape.message,
    requestId: opts.requestId,
    ...(details ? { details } : {}),
    ...(fieldErrors && Object.keys(fieldErrors).length ? { fieldErrors } : {}),
    ...(formErrors?.length ? { formErrors } : {}),
  };
  return { status: getHTTPStatusCodeFromError(error), body, error };
}
