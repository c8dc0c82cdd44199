import { describe, expect, it } from 'vitest';
import { appCallbackPage, callbackUrlFrom } from './oidc-sign-in.ts';

describe('OIDC sign-in links', () => {
  it('redirects to the platform page beside the API', () => {
    expect(appCallbackPage('https://arv.example.com/trpc')).toBe('https://arv.example.com/auth/app-callback');
  });

  it('rebuilds the callback URL from the app link, and ignores other links', () => {
    expect(callbackUrlFrom('http://10.0.2.2:3000/trpc', 'arvlite://auth/callback?code=abc&state=xyz')).toBe(
      'http://10.0.2.2:3000/auth/app-callback?code=abc&state=xyz',
    );
    expect(callbackUrlFrom('http://10.0.2.2:3000/trpc', 'arvlite://v/abc123')).toBeNull();
    expect(callbackUrlFrom('http://10.0.2.2:3000/trpc', 'arvlite://auth/callbackx?code=1')).toBeNull();
    expect(callbackUrlFrom('http://10.0.2.2:3000/trpc', null)).toBeNull();
  });
});
