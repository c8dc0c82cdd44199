// Keeps the typecheck honest: if AppRouter ever degraded to `any` (a broken type import), renamed procedures would
// stop failing the build. These lines must stay errors; an unused @ts-expect-error fails tsc.
import type { ArvliteClient } from '@arvlite/client';

// @ts-expect-error -- there is no such procedure
export type NoSuchViewerProcedure = ArvliteClient['viewer']['noSuchProcedure'];
// @ts-expect-error -- there is no such router
export type NoSuchRouter = ArvliteClient['noSuchRouter'];
