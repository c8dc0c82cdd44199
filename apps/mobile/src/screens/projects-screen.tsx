// The operator's projects, per company.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ScrollView, View } from 'react-native';
import { errorText } from '../lib/api-errors.ts';
import { useNavigation } from '../navigation.ts';
import { useServices } from '../services-context.ts';
import { Body, Button, ErrorText, Heading, Loading, Row, Screen } from '../ui/kit.tsx';
import { LanguageSwitch } from '../ui/language-switch.tsx';
import { space } from '../ui/theme.ts';
import { useAsync } from '../ui/use-async.ts';

export function ProjectsScreen() {
  const { t } = useTranslation();
  const nav = useNavigation();
  const { client, publicClient, session, push } = useServices();
  const companies = useAsync(() => client.company.list.query(), [client]);
  const [companyId, setCompanyId] = useState<string | null>(null);
  const current = companyId ?? companies.data?.[0]?.id ?? null;
  const projects = useAsync(
    async () => (current ? (await client.project.list.query({ companyId: current, limit: 100 })).items : []),
    [client, current],
  );

  useEffect(() => session.subscribe(({ user }) => user === null && nav.reset({ name: 'sign-in' })), [session, nav]);
  // Signed in (after sign-in or on a launch signed in): this phone gets push notifications, if allowed.
  const channelName = t('push.channelName');
  useEffect(() => {
    if (session.signedIn) void push.register(channelName);
  }, [session, push, channelName]);

  const signOut = async () => {
    // Removed while the session can still authenticate the call.
    await push.unregister();
    const refreshToken = session.refreshToken;
    if (refreshToken) await publicClient.auth.logout.mutate({ refreshToken }).catch(() => undefined);
    await session.end();
  };

  return (
    <Screen title={t('projects.title')} onBack={() => nav.reset({ name: 'home' })}>
      {session.user ? <Body muted>{t('projects.signedInAs', { email: session.user.email })}</Body> : null}
      {companies.loading && !companies.data ? <Loading /> : null}
      {companies.error ? <ErrorText>{errorText(companies.error, t)}</ErrorText> : null}
      {companies.data && companies.data.length === 0 ? <Body>{t('projects.noCompany')}</Body> : null}
      {companies.data && companies.data.length > 1 ? (
        <ScrollView horizontal contentContainerStyle={{ gap: space(1) }}>
          {companies.data.map((c) => (
            <Button
              key={c.id}
              label={c.name}
              kind={c.id === current ? 'primary' : 'secondary'}
              onPress={() => setCompanyId(c.id)}
            />
          ))}
        </ScrollView>
      ) : null}
      {projects.error ? <ErrorText>{errorText(projects.error, t)}</ErrorText> : null}
      {current && projects.data ? (
        <View style={{ gap: space(1) }}>
          <Heading>{companies.data?.find((c) => c.id === current)?.name ?? t('projects.title')}</Heading>
          {projects.data.length === 0 ? <Body muted>{t('projects.none')}</Body> : null}
          {projects.data.map((p) => (
            <Row
              key={p.id}
              label={t('projects.projectLabel', { name: p.name })}
              onPress={() => nav.push({ name: 'project', projectId: p.id, projectName: p.name })}
            >
              <Body>{p.name}</Body>
              {p.description ? <Body muted>{p.description}</Body> : null}
            </Row>
          ))}
        </View>
      ) : null}
      <Button
        label={t('ui.refresh')}
        kind="secondary"
        onPress={() => {
          companies.reload();
          projects.reload();
        }}
      />
      <Button label={t('projects.signOut')} kind="link" onPress={() => void signOut()} />
      <LanguageSwitch />
    </Screen>
  );
}
