// The pages mail links and providers lead to: verify an email, ask for and follow a password reset, and finish a
// sign-in with an OpenID Connect provider. Link tokens arrive in the URL fragment (never sent to a server) and are
// taken out of the address bar at once.
import { Alert, Anchor, Button, Divider, Loader, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { api, errorMessage, fieldErrors, session } from '../api.ts';
import { useSignedIn } from '../auth/use-session.ts';
import { AuthCard, safeNext } from './sign-in.tsx';

/** The fragment's token, removed from the address bar (and so from history and any later Referer). */
function takeFragmentToken(): string | null {
  const token = window.location.hash.slice(1);
  if (token) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return token || null;
}

/** Runs `fn` once per mounted page, even when React mounts effects twice in development. */
function useOnce(fn: () => void) {
  const done = useRef(false);
  useEffect(() => {
    if (done.current) return;
    done.current = true;
    fn();
  });
}

export function VerifyEmailPage() {
  const { t } = useTranslation();
  const [token] = useState(takeFragmentToken);
  const signedIn = useSignedIn();
  const qc = useQueryClient();
  const verify = useMutation({
    mutationFn: (value: string) => api.auth.verifyEmail.mutate({ token: value }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me'] }),
  });
  useOnce(() => {
    if (token) verify.mutate(token);
  });
  return (
    <AuthCard
      title={t('account.verify.title')}
      footer={
        <Anchor component={Link} href={signedIn ? '/' : '/sign-in'}>
          {signedIn ? t('account.verify.continue') : t('auth.signIn')}
        </Anchor>
      }
    >
      {!token ? (
        <Text>{t('account.verify.needLink')}</Text>
      ) : verify.isSuccess ? (
        <Alert color="teal" role="status" title={t('account.verify.done')}>
          <Button component={Link} href="/" mt="sm">
            {t('account.verify.continue')}
          </Button>
        </Alert>
      ) : verify.isError ? (
        <Alert color="red" role="alert">
          {errorMessage(verify.error, {
            EMAIL_VERIFICATION_INVALID: 'account.verify.failed',
            BAD_REQUEST: 'account.verify.failed',
          })}
        </Alert>
      ) : (
        <Stack align="center">
          <Loader aria-label={t('account.verify.checking')} />
          <Text>{t('account.verify.checking')}</Text>
        </Stack>
      )}
    </AuthCard>
  );
}

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const request = useMutation({ mutationFn: () => api.auth.requestPasswordReset.mutate({ email }) });
  return (
    <AuthCard
      title={t('account.forgot.title')}
      footer={
        <Anchor component={Link} href="/sign-in">
          {t('account.forgot.back')}
        </Anchor>
      }
    >
      {request.isSuccess ? (
        <Alert color="teal" role="status">
          {t('account.forgot.sent', { email })}
        </Alert>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            request.mutate();
          }}
        >
          <Stack>
            <Text size="sm">{t('account.forgot.text')}</Text>
            {request.error && !fieldErrors(request.error).email && (
              <Alert color="red" role="alert" title={t('account.forgot.couldNotSend')}>
                {errorMessage(request.error)}
              </Alert>
            )}
            <TextInput
              label={t('auth.email')}
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fieldErrors(request.error).email}
            />
            <Button type="submit" loading={request.isPending} fullWidth>
              {t('account.forgot.send')}
            </Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const [token] = useState(takeFragmentToken);
  const [password, setPassword] = useState('');
  const reset = useMutation({
    mutationFn: () => api.auth.resetPassword.mutate({ token: token!, password }),
    // Every session of the account ended, this browser's too.
    onSuccess: () => session.end(),
  });
  const errors = fieldErrors(reset.error);
  return (
    <AuthCard
      title={t('account.reset.title')}
      footer={
        <Anchor component={Link} href="/sign-in">
          {t('account.forgot.back')}
        </Anchor>
      }
    >
      {!token ? (
        <Text>{t('account.reset.needLink')}</Text>
      ) : reset.isSuccess ? (
        <Alert color="teal" role="status">
          <Stack gap="sm">
            <Text size="sm">{t('account.reset.done')}</Text>
            <Button component={Link} href="/sign-in">
              {t('auth.signInButton')}
            </Button>
          </Stack>
        </Alert>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            reset.mutate();
          }}
        >
          <Stack>
            {reset.error && !errors.password && (
              <Alert color="red" role="alert" title={t('account.reset.couldNotReset')}>
                <Stack gap="xs">
                  <Text size="sm">{errorMessage(reset.error, { PASSWORD_RESET_INVALID: 'account.reset.failed' })}</Text>
                  <Anchor component={Link} href="/forgot-password">
                    {t('account.reset.askAgain')}
                  </Anchor>
                </Stack>
              </Alert>
            )}
            <PasswordInput
              label={t('account.reset.newPassword')}
              description={t('auth.passwordHint')}
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={errors.password}
            />
            <Button type="submit" loading={reset.isPending} fullWidth>
              {t('account.reset.save')}
            </Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}

const OIDC_KEY = 'arvlite.oidc';
const oidcRedirectUri = () => `${window.location.origin}/auth/callback`;

interface PendingOidc {
  provider: string;
  binding: string;
  next: string;
}

/** The configured providers as buttons; the binding oidcStart returns waits in sessionStorage for the callback. */
export function OidcButtons({ next }: { next: string }) {
  const { t } = useTranslation();
  const providers = useQuery({
    queryKey: ['oidcProviders'],
    queryFn: () => api.auth.oidcProviders.query(),
    staleTime: Infinity,
  });
  const start = useMutation({
    mutationFn: (provider: string) => api.auth.oidcStart.mutate({ provider, redirectUri: oidcRedirectUri() }),
    onSuccess: (res, provider) => {
      const pending: PendingOidc = { provider, binding: res.binding, next };
      window.sessionStorage.setItem(OIDC_KEY, JSON.stringify(pending));
      window.location.assign(res.authorizationUrl);
    },
  });
  if (!providers.data?.length) return null;
  return (
    <Stack gap="sm" mt="lg">
      <Divider label={t('auth.or')} labelPosition="center" />
      {start.error && (
        <Alert color="red" role="alert" title={t('auth.couldNotStartOidc')}>
          {errorMessage(start.error)}
        </Alert>
      )}
      {providers.data.map((p) => (
        <Button
          key={p.id}
          variant="default"
          fullWidth
          loading={start.isPending && start.variables === p.id}
          onClick={() => start.mutate(p.id)}
        >
          {t('auth.continueWith', { provider: p.label })}
        </Button>
      ))}
    </Stack>
  );
}

function takePendingOidc(): PendingOidc | null {
  const raw = window.sessionStorage.getItem(OIDC_KEY);
  window.sessionStorage.removeItem(OIDC_KEY);
  try {
    const v = raw ? (JSON.parse(raw) as Partial<PendingOidc>) : null;
    return v && typeof v.provider === 'string' && typeof v.binding === 'string'
      ? { provider: v.provider, binding: v.binding, next: safeNext(typeof v.next === 'string' ? v.next : null) }
      : null;
  } catch {
    return null;
  }
}

/** Where the provider sends the browser back: the full URL and the kept binding finish the sign-in. */
export function OidcCallbackPage() {
  const { t } = useTranslation();
  const [, navigate] = useLocation();
  const [pending] = useState(takePendingOidc);
  const [callbackUrl] = useState(() => window.location.href);
  const finish = useMutation({
    mutationFn: (p: PendingOidc) =>
      api.auth.oidcCallback.mutate({ provider: p.provider, callbackUrl, binding: p.binding }),
    onSuccess: async (res, p) => {
      await session.start(res);
      navigate(p.next, { replace: true });
    },
  });
  useOnce(() => {
    // The code and state leave the address bar; the binding is used once.
    window.history.replaceState(null, '', window.location.pathname);
    if (pending) finish.mutate(pending);
  });
  return (
    <AuthCard
      title={t('account.oidc.title')}
      footer={
        <Anchor component={Link} href="/sign-in">
          {t('account.oidc.back')}
        </Anchor>
      }
    >
      {!pending || finish.isError ? (
        <Alert color="red" role="alert">
          {finish.error
            ? errorMessage(finish.error, { UNAUTHORIZED: 'account.oidc.failed' })
            : t('account.oidc.failed')}
        </Alert>
      ) : (
        <Stack align="center">
          <Loader aria-label={t('account.oidc.working')} />
          <Text>{t('account.oidc.working')}</Text>
        </Stack>
      )}
    </AuthCard>
  );
}

/**
 * Where a provider returns a sign-in started in the phone app: the query (code, state) goes on to the app, which
 * finishes the sign-in with the binding only it holds.
 */
export function AppCallbackPage() {
  const { t } = useTranslation();
  const [appLink] = useState(() => `arvlite://auth/callback${window.location.search}`);
  useOnce(() => {
    window.history.replaceState(null, '', window.location.pathname);
    window.location.replace(appLink);
  });
  return (
    <AuthCard title={t('account.oidc.title')} footer={null}>
      <Stack>
        <Text>{t('account.oidc.openingApp')}</Text>
        <Button component="a" href={appLink}>
          {t('account.oidc.openApp')}
        </Button>
      </Stack>
    </AuthCard>
  );
}
