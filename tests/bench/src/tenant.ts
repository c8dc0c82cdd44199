// A signed-up user with a company and a project, made through the real API (auth.register, company.create,
// project.create), for the benchmarks that act as a signed-in editor.
import { randomBytes } from 'node:crypto';
import { createArvliteClient, type ArvliteClient } from '@arvlite/client';

export interface BenchTenant {
  client: ArvliteClient;
  accessToken: string;
  userId: string;
  companyId: string;
  projectId: string;
}

export async function signUpTenant(baseUrl: string): Promise<BenchTenant> {
  const url = `${baseUrl}/trpc`;
  const anonymous = createArvliteClient({ url });
  const suffix = randomBytes(5).toString('hex');
  const account = { email: `bench-${suffix}@example.com`, password: `Bench-${randomBytes(9).toString('hex')}` };
  // auth.register answers alike for new and taken emails; the session comes from signing in.
  await anonymous.auth.register.mutate({ ...account, name: 'Bench User' });
  const registered = await anonymous.auth.login.mutate(account);
  const accessToken = registered.accessToken;
  const client = createArvliteClient({ url, getAccessToken: () => accessToken });
  const company = await client.company.create.mutate({ name: `Bench ${suffix}` });
  const project = await client.project.create.mutate({
    companyId: company.id,
    name: 'Bench project',
  });
  return {
    client,
    accessToken,
    userId: registered.user.id,
    companyId: company.id,
    projectId: project.id,
  };
}
