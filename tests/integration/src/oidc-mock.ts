// A local OpenID Connect provider for tests (oauth2-mock-server): its authorize endpoint redirects straight back with
// a code, and the ID token carries the claims set last.
import { OAuth2Server } from 'oauth2-mock-server';

export async function startMockOidc() {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  let claims: Record<string, unknown> = {};
  server.service.on('beforeTokenSigning', (token) => {
    Object.assign(token.payload, claims);
  });
  return {
    issuer: server.issuer.url!,
    setClaims(next: Record<string, unknown>) {
      claims = next;
    },
    stop: () => server.stop(),
  };
}
