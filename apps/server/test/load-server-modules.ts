// Loads the server's module graph as main.ts does (without listening) and prints every module that was resolved.
import { registerHooks } from 'node:module';

const resolved = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.add(result.url);
    return result;
  },
});

await import('@arvlite/config');
await import('@arvlite/db');
await import('@arvlite/storage');
await import('@arvlite/api');
await import('../src/app.ts');
process.stdout.write(JSON.stringify([...resolved]));
