// Messages between the bench and a queue worker child (worker-child.ts).
export interface ChildInit {
  side: 'ours' | 'baseline' | 'baseline-tx';
  databaseUrl: string;
  s3Endpoint: string;
}

export type ChildCommand =
  | { id: number; cmd: 'latency'; samples: number; gapMs: number }
  | { id: number; cmd: 'drain'; jobs: number }
  | { id: number; cmd: 'stop' };

export type ChildReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Distributive Omit, so each command keeps its own fields. */
export type CommandBody = ChildCommand extends infer C ? (C extends ChildCommand ? Omit<C, 'id'> : never) : never;
