// Operator sign-in. Tokens go to secure storage; the session then refreshes itself silently.
import * as Linking from 'expo-linking';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/api-errors.ts';
import { useNavigation } from '../navigation.ts';
import { appCallbackPage, callbackUrlFrom } from '../operator/oidc-sign-in.ts';
import { useServices } from '../services-context.ts';
import { Body, Button, ErrorText, Field, Screen } from '../ui/kit.tsx';
import { LanguageSwitch } from '../ui/language-switch.tsx';

export function SignInScreen() {
  const { t } = useTranslation();
  const nav = useNavigation();
  const { publicClient, session, apiUrl } = useServices();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const tokens = await publicClient.auth.login.mutate({ email, password });
      await session.start(tokens);
      nav.replace({ name: 'projects' });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // Sign-in with a provider: the browser comes back through arvlite://auth/callback, finished with the kept binding.
  const [providers, setProviders] = useState<{ id: string; label: string }[]>([]);
  const pending = useRef<{ provider: string; binding: string } | null>(null);
  useEffect(() => {
    publicClient.auth.oidcProviders.query().then(setProviders, () => setProviders([]));
  }, [publicClient]);
  useEffect(() => {
    const sub = Linking.addEventListener('url', ({ url }) => {
      const callbackUrl = callbackUrlFrom(apiUrl, url);
      const started = pending.current;
      if (!callbackUrl || !started) return;
      pending.current = null;
      setBusy(true);
      publicClient.auth.oidcCallback
        .mutate({ ...started, callbackUrl })
        .then(async (tokens) => {
          await session.start(tokens);
          nav.replace({ name: 'projects' });
        })
        .catch(setError)
        .finally(() => setBusy(false));
    });
    return () => sub.remove();
  }, [apiUrl, publicClient, session, nav]);
  const startOidc = async (provider: string) => {
    setError(null);
    try {
      const res = await publicClient.auth.oidcStart.mutate({ provider, redirectUri: appCallbackPage(apiUrl) });
      pending.current = { provider, binding: res.binding };
      await Linking.openURL(res.authorizationUrl);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Screen title={t('signIn.title')} onBack={nav.canGoBack ? nav.back : () => nav.reset({ name: 'home' })}>
      <LanguageSwitch />
      <Body muted>{t('signIn.intro')}</Body>
      <Field
        label={t('signIn.email')}
        value={email}
        onChangeText={setEmail}
        keyboardType="email-address"
        autoComplete="email"
        textContentType="emailAddress"
      />
      <Field
        label={t('signIn.password')}
        value={password}
        onChangeText={setPassword}
        secureTextEntry
        autoComplete="password"
        textContentType="password"
        onSubmitEditing={() => void submit()}
      />
      {error ? <ErrorText>{errorText(error, t, { UNAUTHORIZED: 'signIn.wrongCredentials' })}</ErrorText> : null}
      <Button label={t('signIn.submit')} onPress={() => void submit()} busy={busy} disabled={!email || !password} />
      {providers.map((p) => (
        <Button
          key={p.id}
          kind="secondary"
          label={t('signIn.continueWith', { provider: p.label })}
          onPress={() => void startOidc(p.id)}
          disabled={busy}
        />
      ))}
    </Screen>
  );
}
