// argon2id at OWASP's parameters, and the password policy.
import { hash, verify } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.ts';

// algorithm 2 is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFKC'), OPTIONS);
}

/** A real hash of nothing, verified against unknown emails so both paths cost the same. */
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(hashed: string | null | undefined, password: string): Promise<boolean> {
  const target = hashed ?? (await (dummyHash ??= hashPassword('arvlite-dummy-password-for-timing')));
  try {
    const ok = await verify(target, password.normalize('NFKC'));
    return ok && !!hashed;
  } catch {
    return false;
  }
}

/** Returns a human reason the password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  const p = password.normalize('NFKC');
  if ([...p].length < PASSWORD_MIN) return `Password must be at least ${PASSWORD_MIN} characters`;
  if ([...p].length > PASSWORD_MAX) return `Password must be at most ${PASSWORD_MAX} characters`;
  const lower = p.toLowerCase();
  const e = email.toLowerCase();
  if (lower === e || lower === e.split('@')[0]) return 'Password must not be your email address';
  if (COMMON_PASSWORDS.has(lower)) return 'This password is too common; choose another';
  if (new Set(p).size <= 2) return 'Password is too repetitive';
  return null;
}
