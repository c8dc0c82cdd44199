// What a procedure declares to be served as REST under /api/v1 and described in the OpenAPI document.
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { z } from 'zod';

export interface RestMeta {
  /** trpc-to-openapi's route: method, path under /api/v1, summary, tags. */
  openapi?: NonNullable<OpenApiMeta['openapi']>;
  /**
   * The answer's schema on the REST side. Only REST answers are parsed with it (ISO dates, nothing undeclared), so the
   * tRPC answers our own apps read are untouched.
   */
  restOutput?: z.ZodType;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * `.meta(rest('GET', '/videos/{id}', videoDetailSchema, { summary }))`: serves the procedure at /api/v1 + path and
 * documents it. Path parameters name input fields; GET and DELETE read the rest of the input from the query string.
 */
export function rest(
  method: Method,
  path: `/${string}`,
  output: z.ZodType,
  doc: { summary: string; tags: string[]; description?: string; protect?: boolean },
): RestMeta {
  return { openapi: { method, path, protect: true, ...doc }, restOutput: output };
}
