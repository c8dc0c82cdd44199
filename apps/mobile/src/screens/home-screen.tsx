// Start: scan a code, type one in, or sign in as an operator. Also says when view reports are waiting or failed.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { View } from 'react-native';
import { useNavigation } from '../navigation.ts';
import { useServices } from '../services-context.ts';
import { Body, Button, Field, Heading, Screen } from '../ui/kit.tsx';
import { LanguageSwitch } from '../ui/language-switch.tsx';
import { space } from '../ui/theme.ts';
import { publicIdFrom } from '../viewer/public-id.ts';

export function HomeScreen() {
  const { t } = useTranslation();
  const nav = useNavigation();
  const { session, sessions } = useServices();
  const [code, setCode] = useState('');
  const [invalid, setInvalid] = useState(false);
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
    setInvalid(!id);
    if (!id) return;
    nav.push({ name: 'viewer', publicId: id });
  };

  return (
    <Screen>
      <Heading level={1}>{t('app.name')}</Heading>
      <LanguageSwitch />
      <Body>{t('home.intro')}</Body>
      <Button label={t('home.scan')} onPress={() => nav.push({ name: 'scan' })} />
      <View style={{ gap: space(1) }}>
        <Field
          label={t('home.codeLabel')}
          value={code}
          onChangeText={setCode}
          onSubmitEditing={open}
          placeholder={t('home.codePlaceholder')}
          error={invalid ? t('home.notACode') : null}
          returnKeyType="go"
        />
        <Button label={t('home.open')} kind="secondary" onPress={open} />
      </View>
      <Heading>{t('home.forOperators')}</Heading>
      <Button
        label={signedIn ? t('home.myProjects') : t('home.signIn')}
        kind="secondary"
        onPress={() => nav.push(signedIn ? { name: 'projects' } : { name: 'sign-in' })}
      />
      {reports.pending > 0 ? <Body muted>{t('home.reportsPending', { count: reports.pending })}</Body> : null}
      {reports.failed > 0 ? <Body muted>{t('home.reportsFailed', { count: reports.failed })}</Body> : null}
    </Screen>
  );
}
