// Start: scan a code, type one in, or sign in as an operator. Also says when view reports are waiting or failed.
import { useEffect, useState } from 'react';
import { View } from 'react-native';
import { useNavigation } from '../navigation.ts';
import { useServices } from '../services-context.ts';
import { Body, Button, Field, Heading, Screen } from '../ui/kit.tsx';
import { space } from '../ui/theme.ts';
import { publicIdFrom } from '../viewer/public-id.ts';

export function HomeScreen() {
  const nav = useNavigation();
  const { session, sessions } = useServices();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [signedIn, setSignedIn] = useState(false);
  const [reports, setReports] = useState({ pending: 0, failed: 0 });

  useEffect(() => {
    void session.restore().then(setSignedIn);
    void Promise.all([sessions.pending(), sessions.failed()]).then(([p, f]) =>
      setReports({ pending: p.length, failed: f.length }),
    );
    return session.subscribe(({ signedIn }) => setSignedIn(signedIn));
  }, [session, sessions]);

  const open = () => {
    const id = publicIdFrom(code);
    if (!id)
      return setError(
        'That does not look like an ARVlite code. It is the text under the QR code, or the link it opens.',
      );
    setError(null);
    nav.push({ name: 'viewer', publicId: id });
  };

  return (
    <Screen>
      <Heading level={1}>ARVlite</Heading>
      <Body>Point your camera at the QR code printed with your photo, then at the photo itself: it comes alive.</Body>
      <Button label="Scan a code" onPress={() => nav.push({ name: 'scan' })} />
      <View style={{ gap: space(1) }}>
        <Field
          label="Code or link"
          value={code}
          onChangeText={setCode}
          onSubmitEditing={open}
          placeholder="arvlite://v/…"
          error={error}
          returnKeyType="go"
        />
        <Button label="Open" kind="secondary" onPress={open} />
      </View>
      <Heading>For operators</Heading>
      <Button
        label={signedIn ? 'My projects' : 'Operator sign in'}
        kind="secondary"
        onPress={() => nav.push(signedIn ? { name: 'projects' } : { name: 'sign-in' })}
      />
      {reports.pending > 0 ? (
        <Body muted>{reports.pending} view report(s) will be sent when the network allows.</Body>
      ) : null}
      {reports.failed > 0 ? (
        <Body muted>{reports.failed} view report(s) were refused by the server and are kept on this device.</Body>
      ) : null}
    </Screen>
  );
}
