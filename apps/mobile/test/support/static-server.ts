// Serves a web export the way a static host would (files, and index.html for app paths such as /v/{publicId}),
// and passes /trpc and /media to the API, so the app talks to its own origin as in production behind one proxy.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
};

function proxy(req: IncomingMessage, res: ServerResponse, api: URL) {
  const upstream = request(
    {
      host: api.hostname,
      port: api.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: api.host },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

export async function serveExport(
  dir: string,
): Promise<{ url: string; setApi: (baseUrl: string) => void; close: () => Promise<void> }> {
  let api: URL | null = null;
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (api && (pathname.startsWith('/trpc/') || pathname.startsWith('/media/'))) return proxy(req, res, api);
    const file = path.join(dir, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''));
    const isFile = file.startsWith(dir) && existsSync(file) && statSync(file).isFile();
    if (!isFile && path.extname(pathname)) {
      res.writeHead(404).end();
      return;
    }
    const target = isFile ? file : path.join(dir, 'index.html');
    res.writeHead(200, {
      'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    createReadStream(target).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    setApi: (baseUrl) => {
      api = new URL(baseUrl);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
