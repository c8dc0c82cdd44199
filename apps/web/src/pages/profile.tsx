// The signed-in person's own account: change the password, change the email (takes effect once the new address is
// verified), and the sessions signed in to the account, each of which can be signed out.
import { Alert, Badge, Button, Group, Paper, PasswordInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage, fieldErrors } from '../api.ts';
import { useMe } from '../auth/use-session.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useFormat } from '../i18n/dashboard.ts';

/** A short name for a browser and system from a user agent; product names, not words to translate. */
export function deviceName(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const browser =
    /\b(Edg|OPR|YaBrowser|Firefox|Chrome|Chromium|Safari)\//.exec(userAgent)?.[1]?.replace('Edg', 'Edge') ??
    (/\bExpo|okhttp|CFNetwork/.test(userAgent) ? 'ARVlite app' : null);
  const system = /\b(Windows|Android|iPhone|iPad|Mac OS X|Linux|CrOS)\b/
    .exec(userAgent)?.[1]
    ?.replace('Mac OS X', 'macOS');
  const name = [browser, system].filter(Boolean).join(', ');
  return name || userAgent.slice(0, 60);
}

function PasswordForm() {
  const { t } = useTranslation();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const qc = useQueryClient();
  const change = useMutation({
    mutationFn: () => api.auth.changePassword.mutate({ currentPassword, newPassword }),
    onSuccess: () => {
      setCurrent('');
      setNew('');
      notifySuccess(t('account.profile.passwordChanged'));
      void qc.invalidateQueries({ queryKey: ['sessions'] });
    },
  });
  const errors = fieldErrors(change.error);
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="password-title">
      <Title order={2} size="h4" mb="md" id="password-title">
        {t('account.profile.passwordTitle')}
      </Title>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate();
        }}
      >
        <Stack maw={420}>
          {change.error && !errors.currentPassword && !errors.newPassword && (
            <Alert color="red" role="alert" title={t('account.profile.couldNotChangePassword')}>
              {errorMessage(change.error)}
            </Alert>
          )}
          <PasswordInput
            label={t('account.profile.currentPassword')}
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={errors.currentPassword}
          />
          <PasswordInput
            label={t('account.profile.newPassword')}
            description={t('auth.passwordHint')}
            autoComplete="new-password"
            required
            value={newPassword}
            onChange={(e) => setNew(e.currentTarget.value)}
            error={errors.newPassword}
          />
          <Group>
            <Button type="submit" loading={change.isPending}>
              {t('account.profile.changePassword')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function EmailForm({ email: current }: { email: string }) {
  const { t } = useTranslation();
  const [currentPassword, setCurrent] = useState('');
  const [email, setEmail] = useState('');
  const change = useMutation({
    mutationFn: () => api.auth.changeEmail.mutate({ currentPassword, email }),
    onSuccess: () => setCurrent(''),
  });
  const errors = fieldErrors(change.error);
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="email-title">
      <Title order={2} size="h4" mb="xs" id="email-title">
        {t('account.profile.emailTitle')}
      </Title>
      <Text size="sm" mb="md">
        {t('account.profile.currentEmail', { email: current })}
      </Text>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate();
        }}
      >
        <Stack maw={420}>
          {change.isSuccess && (
            <Alert color="teal" role="status">
              {t('account.profile.emailPending', { email: change.data.pendingEmail })}
            </Alert>
          )}
          {change.error && !errors.currentPassword && !errors.email && (
            <Alert color="red" role="alert" title={t('account.profile.couldNotChangeEmail')}>
              {errorMessage(change.error)}
            </Alert>
          )}
          <TextInput
            label={t('account.profile.newEmail')}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={errors.email}
          />
          <PasswordInput
            label={t('account.profile.currentPassword')}
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={errors.currentPassword}
          />
          <Group>
            <Button type="submit" loading={change.isPending}>
              {t('account.profile.changeEmail')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function Sessions() {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => api.auth.sessions.query() });
  const invalidate = () => qc.invalidateQueries({ queryKey: ['sessions'] });
  const revoke = useMutation({
    mutationFn: (sessionId: string) => api.auth.revokeSession.mutate({ sessionId }),
    onSuccess: () => (notifySuccess(t('account.profile.revoked')), invalidate()),
    onError: (e) => notifyError(e, t('account.profile.couldNotRevoke')),
  });
  const others = useMutation({
    mutationFn: () => api.auth.logoutOthers.mutate(),
    onSuccess: () => (notifySuccess(t('account.profile.othersSignedOut')), invalidate()),
    onError: (e) => notifyError(e, t('account.profile.couldNotRevoke')),
  });
  const list = sessions.data ?? [];
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="sessions-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="sessions-title">
          {t('account.profile.sessionsTitle')}
        </Title>
        <Button
          variant="light"
          color="red"
          size="xs"
          disabled={list.filter((s) => !s.current).length === 0}
          loading={others.isPending}
          onClick={() => others.mutate()}
        >
          {t('account.profile.signOutOthers')}
        </Button>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        {t('account.profile.sessionsText')}
      </Text>
      <Table verticalSpacing="sm" aria-labelledby="sessions-title">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('account.profile.device')}</Table.Th>
            <Table.Th>{t('account.profile.address')}</Table.Th>
            <Table.Th>{t('account.profile.started')}</Table.Th>
            <Table.Th>{t('account.profile.lastUsed')}</Table.Th>
            <Table.Th>{t('account.profile.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.map((s) => {
            const device = deviceName(s.userAgent) ?? t('account.profile.unknownDevice');
            return (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Group gap="xs">
                    <Text size="sm" title={s.userAgent ?? undefined}>
                      {device}
                    </Text>
                    {s.current && (
                      <Badge size="sm" variant="light">
                        {t('account.profile.thisDevice')}
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{s.ip}</Table.Td>
                <Table.Td>{f.dateTime(s.startedAt)}</Table.Td>
                <Table.Td>{f.dateTime(s.lastUsedAt)}</Table.Td>
                <Table.Td>
                  {!s.current && (
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      aria-label={t('account.profile.revokeLabel', { device, when: f.dateTime(s.lastUsedAt) })}
                      loading={revoke.isPending && revoke.variables === s.id}
                      onClick={() => revoke.mutate(s.id)}
                    >
                      {t('account.profile.revoke')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

export function ProfilePage() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <Stack gap="lg">
      <Title order={1}>{t('account.profile.title')}</Title>
      <PasswordForm />
      {me.data && <EmailForm email={me.data.user.email} />}
      <Sessions />
    </Stack>
  );
}
