// Shown to a signed-in person whose email is not verified yet, with a button that sends the link again.
import { Alert, Button, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { useMe } from '../auth/use-session.ts';
import { notifyError, notifySuccess } from './notify.ts';

export function VerifyBanner() {
  const { t } = useTranslation();
  const me = useMe();
  const user = me.data?.user;
  const resend = useMutation({
    mutationFn: () => api.auth.requestEmailVerification.mutate(),
    onSuccess: () => notifySuccess(t('account.banner.sent', { email: user?.email })),
    onError: (e) => notifyError(e, t('account.banner.couldNotSend')),
  });
  if (!user || user.emailVerified) return null;
  return (
    <Alert color="yellow" title={t('account.banner.title')} mb="lg" role="status">
      <Text size="sm" mb="xs">
        {t('account.banner.text', { email: user.email })}
      </Text>
      <Button size="xs" variant="light" loading={resend.isPending} onClick={() => resend.mutate()}>
        {t('account.banner.resend')}
      </Button>
    </Alert>
  );
}
