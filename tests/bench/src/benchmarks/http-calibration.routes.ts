// Routes for the A/A calibration: one row by id from a prepared statement, as an API read will do.
import type { BaselineRoute } from '../baseline-server.ts';

export const itemRoutes: BaselineRoute[] = [
  {
    method: 'GET',
    url: '/item/:id',
    statements: [
      {
        name: 'item_by_id',
        sql: 'select id, title, size_bytes, created_at from bench_item where id = $1',
        params: (req) => [(req.params as { id: string }).id],
      },
    ],
    render([result]) {
      const item = result!.rows[0] as { id: string; title: string; size_bytes: string; created_at: Date } | undefined;
      if (!item) return { status: 404, body: '{"error":"not found"}' };
      return {
        body: JSON.stringify({
          id: item.id,
          title: item.title,
          sizeBytes: Number(item.size_bytes),
          createdAt: item.created_at.toISOString(),
        }),
      };
    },
  },
];
