// Sign-in and sign-up. On success the session starts and the person goes where they were headed.
import {
  Alert,
  Anchor,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Redirect, useLocation, useSearch } from 'wouter';
import { api, errorMessage, fieldErrors, session } from '../api.ts';
import { useSignedIn } from '../auth/use-session.ts';
import { LanguageMenu } from '../components/language-menu.tsx';
import { Logo } from '../components/logo.tsx';
import { isLanguage } from '@arvlite/contract';
import { OidcButtons } from './account-links.tsx';

/** Only same-app paths: `next` comes from the address bar and must not send anyone elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-light)">
      <Stack w="100%" maw={420} gap="lg">
        <Group justify="space-between">
          <Logo />
          <LanguageMenu />
        </Group>
        <Paper withBorder shadow="sm" p="xl" component="main">
          <Title order={1} size="h2" mb="lg">
            {title}
          </Title>
          {children}
        </Paper>
        <Text ta="center" size="sm">
          {footer}
        </Text>
      </Stack>
    </Center>
  );
}

export function SignInPage() {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const [, navigate] = useLocation();
  const next = safeNext(new URLSearchParams(useSearch()).get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: () => api.auth.login.mutate({ email, password }),
    onSuccess: (res) => {
      void session.start(res);
      navigate(next, { replace: true });
    },
  });
  if (signedIn && !signIn.isSuccess) return <Redirect to={next} replace />;
  const errors = fieldErrors(signIn.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
  };
  return (
    <AuthCard
      title={t('auth.signIn')}
      footer={
        <>
          {t('auth.newHere')}{' '}
          <Anchor component={Link} href={`/sign-up${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>
            {t('auth.createAccountLink')}
          </Anchor>
        </>
      }
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          {signIn.error && !errors.email && !errors.password && (
            <Alert color="red" role="alert" title={t('auth.couldNotSignIn')}>
              {errorMessage(signIn.error, { UNAUTHORIZED: 'auth.wrongLogin' })}
            </Alert>
          )}
          <TextInput
            label={t('auth.email')}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={errors.email}
          />
          <PasswordInput
            label={t('auth.password')}
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
          />
          <Anchor component={Link} href="/forgot-password" size="sm">
            {t('auth.forgotPassword')}
          </Anchor>
          <Button type="submit" loading={signIn.isPending} fullWidth>
            {t('auth.signInButton')}
          </Button>
        </Stack>
      </form>
      <OidcButtons next={next} />
    </AuthCard>
  );
}

export function SignUpPage() {
  const { t, i18n } = useTranslation();
  const signedIn = useSignedIn();
  const [, navigate] = useLocation();
  const next = safeNext(new URLSearchParams(useSearch()).get('next'));
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signUp = useMutation({
    // register answers alike whether or not the email has an account; signing in right after works for a new one.
    mutationFn: async () => {
      const language = i18n.resolvedLanguage;
      await api.auth.register.mutate({ name, email, password, ...(isLanguage(language) && { language }) });
      return api.auth.login.mutate({ email, password });
    },
    onSuccess: (res) => {
      void session.start(res);
      navigate(next === '/' ? '/companies/new' : next, { replace: true });
    },
  });
  if (signedIn && !signUp.isSuccess) return <Redirect to={next} replace />;
  const errors = fieldErrors(signUp.error);
  return (
    <AuthCard
      title={t('auth.signUpTitle')}
      footer={
        <>
          {t('auth.haveAccount')}{' '}
          <Anchor component={Link} href={`/sign-in${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>
            {t('auth.signIn')}
          </Anchor>
        </>
      }
    >
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          signUp.mutate();
        }}
      >
        <Stack>
          {signUp.error && !errors.email && !errors.password && !errors.name && (
            <Alert color="red" role="alert" title={t('auth.couldNotSignUp')}>
              {errorMessage(signUp.error, { CONFLICT: 'auth.emailTaken', UNAUTHORIZED: 'auth.emailTaken' })}
            </Alert>
          )}
          <TextInput
            label={t('auth.yourName')}
            autoComplete="name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
          />
          <TextInput
            label={t('auth.email')}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={errors.email}
          />
          <PasswordInput
            label={t('auth.password')}
            description={t('auth.passwordHint')}
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
          />
          <Button type="submit" loading={signUp.isPending} fullWidth>
            {t('auth.createAccount')}
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
