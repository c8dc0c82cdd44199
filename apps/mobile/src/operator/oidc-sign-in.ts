// Sign-in with an OpenID Connect provider (Yandex ID and any other configured one) from the phone. The provider
// returns to a page of the platform (`/auth/app-callback`, an allowed redirect origin) that hands its query to the
// app as arvlite://auth/callback?…; the app then finishes with the binding oidcStart gave it, which no other app
// that might catch the link holds.
export const APP_CALLBACK = 'arvlite://auth/callback';

/** The redirect URI the provider sends the browser to: the platform's page beside the API. */
export function appCallbackPage(apiUrl: string): string {
  return new URL('/auth/app-callback', apiUrl).href;
}

/** The callback URL oidcCallback expects, rebuilt from the link the app received; null for any other link. */
export function callbackUrlFrom(apiUrl: string, received: string | null): string | null {
  if (!received?.startsWith(APP_CALLBACK)) return null;
  const rest = received.slice(APP_CALLBACK.length);
  if (!rest.startsWith('?')) return null;
  return appCallbackPage(apiUrl) + rest;
}
