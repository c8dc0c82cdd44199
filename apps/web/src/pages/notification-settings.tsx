// The caller's notification preferences (per kind and channel: in-app, email, push) and, for admins of the current
// company, the days before an item's end date when expiry reminders go out.
import { Button, Checkbox, Group, Paper, Stack, Table, TagsInput, Text, Title } from '@mantine/core';
import { NOTIFICATION_CHANNELS, type NotificationChannel, type NotificationKind } from '@arvlite/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, fieldErrors } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useMe } from '../auth/use-session.ts';
import { roleAtLeast } from '@arvlite/client';

function ReminderDays({ companyId, companyName }: { companyId: string; companyName: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const key = ['notification', 'expiryReminderDays', companyId];
  const days = useQuery({ queryKey: key, queryFn: () => api.notification.expiryReminderDays.query({ companyId }) });
  const [value, setValue] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (days.data) setValue(days.data.days.map(String));
  }, [days.data]);
  const save = useMutation({
    mutationFn: () => api.notification.setExpiryReminderDays.mutate({ companyId, days: value.map(Number) }),
    onSuccess: () => {
      setError(undefined);
      notifySuccess(t('notificationSettings.daysSaved'));
      return queryClient.invalidateQueries({ queryKey: key });
    },
    onError: (e) => {
      if (Object.keys(fieldErrors(e)).length > 0) setError(t('notificationSettings.daysInvalid'));
      else notifyError(e);
    },
  });
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Text fw={600}>{t('notificationSettings.daysTitle', { company: companyName })}</Text>
        <Text size="sm" c="dimmed">
          {t('notificationSettings.daysHelp')}
        </Text>
        <Group align="flex-end">
          <TagsInput
            label={t('notificationSettings.daysLabel')}
            value={value}
            onChange={(v) => setValue(v.filter((d) => /^\d{1,3}$/.test(d)))}
            error={error}
            w={320}
          />
          <Button loading={save.isPending} onClick={() => save.mutate()}>
            {t('notificationSettings.save')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function NotificationSettingsPage() {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const prefs = useQuery({
    queryKey: ['notification', 'preferences'],
    queryFn: () => api.notification.preferences.query(),
  });
  const set = useMutation({
    mutationFn: (input: { kind: NotificationKind; channel: NotificationChannel; enabled: boolean }) =>
      api.notification.setPreference.mutate(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['notification', 'preferences'] }),
    onError: (e) => notifyError(e),
  });
  const adminOf = (me.data?.memberships ?? []).filter((m) => roleAtLeast(m.role, 'admin'));

  return (
    <Stack>
      <Title order={2}>{t('notificationSettings.title')}</Title>
      <Text c="dimmed">{t('notificationSettings.intro')}</Text>
      <Table striped withTableBorder aria-label={t('notificationSettings.title')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('notificationSettings.kind')}</Table.Th>
            {NOTIFICATION_CHANNELS.map((c) => (
              <Table.Th key={c}>{t(`notificationSettings.channels.${c}`)}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {prefs.data?.kinds.map((k) => (
            <Table.Tr key={k.kind}>
              <Table.Td>
                <Text size="sm" c={k.applies ? undefined : 'dimmed'}>
                  {t(`notificationSettings.kinds.${k.kind}`)}
                </Text>
              </Table.Td>
              {NOTIFICATION_CHANNELS.map((c) => (
                <Table.Td key={c}>
                  <Checkbox
                    aria-label={t('notificationSettings.toggle', {
                      kind: t(`notificationSettings.kinds.${k.kind}`),
                      channel: t(`notificationSettings.channels.${c}`),
                    })}
                    checked={k.channels[c].enabled}
                    disabled={!k.applies}
                    onChange={(e) => set.mutate({ kind: k.kind, channel: c, enabled: e.currentTarget.checked })}
                  />
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {adminOf.map((m) => (
        <ReminderDays key={m.companyId} companyId={m.companyId} companyName={m.companyName} />
      ))}
    </Stack>
  );
}
