// Operator sign-in. Tokens go to secure storage; the session then refreshes itself silently.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../lib/api-errors.ts';
import { useNavigation } from '../navigation.ts';
import { useServices } from '../services-context.ts';
import { Body, Button, ErrorText, Field, Screen } from '../ui/kit.tsx';
import { LanguageSwitch } from '../ui/language-switch.tsx';

export function SignInScreen() {
  const { t } = useTranslation();
  const nav = useNavigation();
  const { publicClient, session } = useServices();
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
    </Screen>
  );
}
