// Imported first by both entries (dashboard and viewer), before any zod schema is built: zod compiles object parsers with
// `new Function` when it may, and merely probing that makes the viewer's strict CSP (no 'unsafe-eval') report a
// violation. The contract's schemas reach this page through @arvlite/client; jitless parsing is what a strict CSP
// needs anyway. zod keeps its settings on globalThis, so this needs no import of zod itself.
const scope = globalThis as { __zod_globalConfig?: Record<string, unknown> };
scope.__zod_globalConfig = { ...scope.__zod_globalConfig, jitless: true };

export {};
