// What the numbers were measured on: absolute figures mean little without it.
import os from 'node:os';
import pg from 'pg';

/** os.loadavg(): 1, 5 and 15 minutes, rounded to 2 decimals. */
export type LoadAverage = [number, number, number];

export function loadAverage(): LoadAverage {
  return os.loadavg().map((x) => Math.round(x * 100) / 100) as LoadAverage;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  loadAverageAtStart: LoadAverage;
  /** Set when the run ends. */
  loadAverageAtEnd?: LoadAverage;
}

export async function describeMachine(databaseUrl: string): Promise<Machine> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let postgres: string;
  try {
    postgres = (await client.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v;
  } finally {
    await client.end();
  }
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: `${postgres} (embedded)`,
    loadAverageAtStart: loadAverage(),
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, Postgres ${m.postgres}, load average at start ${m.loadAverageAtStart.join(' / ')}${m.loadAverageAtEnd ? `, at end ${m.loadAverageAtEnd.join(' / ')}` : ''}`;
}
