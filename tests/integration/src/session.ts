// Helpers for tests that act as signed-in users through the real HTTP client.
import { randomBytes } from 'node:crypto';
import type { ArvliteClient } from '@arvlite/client';

export interface TestUser {
  email: string;
  password: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  client: ArvliteClient;
}

export async function registerUser(
  makeClient: (getAccessToken?: () => string | null, ip?: string) => ArvliteClient,
  name = 'Test User',
): Promise<TestUser> {
  const ip = `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
  const email = `user-${randomBytes(5).toString('hex')}@example.com`;
  const password = `Sturdy-${randomBytes(8).toString('hex')}`;
  // auth.register answers alike for new and taken emails; the session comes from signing in, as the apps do it.
  const anon = makeClient(undefined, ip);
  await anon.auth.register.mutate({ email, password, name });
  const res = await anon.auth.login.mutate({ email, password });
  const user: TestUser = {
    email,
    password,
    userId: res.user.id,
    accessToken: res.accessToken,
    refreshToken: res.refreshToken,
    client: undefined as unknown as ArvliteClient,
  };
  user.client = makeClient(() => user.accessToken, ip);
  return user;
}
