import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { graphileLogger } from './graphile-logger.ts';

describe('graphile-worker logging', () => {
  it('logs a pg error by type, message and code, without the client it came from', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = graphileLogger(pino({ level: 'trace' }, sink));
    const err = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
      client: { connectionParameters: { password: 'secret' }, parsedStatements: { get_job: 'select …' } },
    });
    log.error(`PostgreSQL idle client generated error: ${err.message}`, { error: err });
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 40, err: { type: 'Error', code: '57P01', message: err.message } });
    expect(lines[0]).not.toContain('connectionParameters');
    expect(lines[0]).not.toContain('secret');
  });
});
