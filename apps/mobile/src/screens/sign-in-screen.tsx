// Operator sign-in. Tokens go to secure storage; the session then refreshes itself silently.
import { useState } from 'react';
import { errorMessage } from '../lib/api-errors.ts';
import { useNavigation } from '../navigation.ts';
import { useServices } from '../services-context.ts';
import { Body, Button, ErrorText, Field, Screen } from '../ui/kit.tsx';

export function SignInScreen() {
  const nav = useNavigation();
  const { publicClient, session } = useServices();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const tokens = await publicClient.auth.login.mutate({ email, password });
      await session.start(tokens);
      nav.replace({ name: 'projects' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen title="Operator sign in" onBack={nav.canGoBack ? nav.back : () => nav.reset({ name: 'home' })}>
      <Body muted>Sign in with your ARVlite account to see your projects and upload videos.</Body>
      <Field
        label="Email"
        value={email}
        onChangeText={setEmail}
        keyboardType="email-address"
        autoComplete="email"
        textContentType="emailAddress"
      />
      <Field
        label="Password"
        value={password}
        onChangeText={setPassword}
        secureTextEntry
        autoComplete="password"
        textContentType="password"
        onSubmitEditing={() => void submit()}
      />
      {error ? <ErrorText>{error}</ErrorText> : null}
      <Button label="Sign in" onPress={() => void submit()} busy={busy} disabled={!email || !password} />
    </Screen>
  );
}
