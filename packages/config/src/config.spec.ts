import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, requireServices } from './index.ts';

describe('loadConfig', () => {
  it('applies defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.http.publicUrl).toBe('http://localhost:3000');
    expect(config.s3.bucket).toBe('arvlite');
    expect(config.worker.concurrency).toBe(4);
  });

  it('names the variable and the bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(/PORT: expected a number.*"eighty"/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrowError(/DATABASE_URL: expected a URL/);
    expect(() => loadConfig({ S3_FORCE_PATH_STYLE: 'maybe' })).toThrowError(
      /S3_FORCE_PATH_STYLE: expected true or false/,
    );
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ PORT: '-1', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    }
  });

  it('names missing service URLs', () => {
    expect(() => requireServices(loadConfig({}))).toThrowError(/DATABASE_URL: required[\s\S]*S3_ENDPOINT: required/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(3000);
  });
});
