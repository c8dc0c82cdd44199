// Unknown emails cost what known ones do: the login path runs one real argon2id verify either way. Counted, not timed
// (tests assert no timings): the real @node-rs/argon2 runs, wrapped so its calls can be seen.
import type * as Argon2 from '@node-rs/argon2';
import { describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ verify: [] as string[] }));
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof Argon2>();
  return {
    ...real,
    verify: (hashed: string, password: string) => {
      calls.verify.push(hashed);
      return real.verify(hashed, password);
    },
  };
});

const { hashPassword, verifyPassword } = await import('./password.ts');

describe('verifyPassword', () => {
  it('runs one argon2id verify, at the same parameters, for a known hash and for none', async () => {
    const stored = await hashPassword('a long enough passphrase 42');
    const params = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;
    expect(stored).toMatch(params);

    calls.verify.length = 0;
    expect(await verifyPassword(stored, 'not-the-password-x')).toBe(false);
    expect(calls.verify).toEqual([stored]);

    calls.verify.length = 0;
    expect(await verifyPassword(undefined, 'not-the-password-x')).toBe(false);
    expect(calls.verify).toHaveLength(1);
    expect(calls.verify[0]).toMatch(params);
    expect(calls.verify[0]).not.toBe(stored);

    // Even the dummy's own password does not sign in an unknown email.
    calls.verify.length = 0;
    expect(await verifyPassword(null, 'arvlite-dummy-password-for-timing')).toBe(false);
    expect(calls.verify).toHaveLength(1);

    expect(await verifyPassword(stored, 'a long enough passphrase 42')).toBe(true);
  });
});
