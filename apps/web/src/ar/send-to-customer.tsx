// "Send to customer": mails the item's customer its viewer link and QR code (editors and above), and shows when and to
// whom it was last sent.
import { Button, Paper, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useFormat } from '../i18n/dashboard.ts';
import type { ArContentDetail } from './ar-status.tsx';

export function SendToCustomer({ content, canEdit }: { content: ArContentDetail; canEdit: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const customer = content.customer;
  const send = useMutation({
    mutationFn: () => api.arContent.sendToCustomer.mutate({ id: content.id }),
    onSuccess: (r) => {
      notifySuccess(t('sendToCustomer.sent', { email: r.sentTo }));
      return qc.invalidateQueries();
    },
    onError: (e) => notifyError(e),
  });
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Text fw={600}>{t('sendToCustomer.title')}</Text>
        {customer.linkSentAt ? (
          <Text size="sm" data-testid="customer-link-sent">
            {t('sendToCustomer.lastSent', { email: customer.linkSentTo ?? '', when: f.dateTime(customer.linkSentAt) })}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            {t('sendToCustomer.never')}
          </Text>
        )}
        {canEdit &&
          (customer.email ? (
            <Button variant="light" loading={send.isPending} onClick={() => send.mutate()}>
              {t('sendToCustomer.send', { email: customer.email })}
            </Button>
          ) : (
            <Text size="sm" c="dimmed">
              {t('sendToCustomer.noEmail')}
            </Text>
          ))}
      </Stack>
    </Paper>
  );
}
