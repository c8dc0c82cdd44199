// The company's payment provider (admins and owners): bank transfer, YooKassa or Stripe, its credentials (stored
// encrypted by the server and only ever shown as a hint: kept unless retyped), and the notification URL to give the
// provider, with what to do there.
import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Paper,
  PasswordInput,
  Radio,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { stripeCredentialsInput, yookassaCredentialsInput, type PaymentProvider } from '@arvlite/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useCompany } from '../components/use-company.ts';

type Settings = Awaited<ReturnType<typeof api.paymentSettings.get.query>>;

const PROVIDERS: PaymentProvider[] = ['manual', 'yookassa', 'stripe'];

const SAVE_ERRORS = {
  PAYMENT_PROVIDER_NOT_CONFIGURED: 'payments.errors.notConfigured',
  BAD_REQUEST: 'payments.errors.invalid',
  FORBIDDEN: 'payments.errors.forbidden',
  SERVICE_UNAVAILABLE: 'payments.errors.unavailable',
};

/** Per input, the key of what is wrong with it (before anything is sent). */
type Problems = Partial<Record<'shopId' | 'yookassaKey' | 'stripeKey' | 'stripeWebhook', string>>;

export function PaymentSettingsPage() {
  const { companyId, can, loading } = useCompany();
  const { t } = useTranslation();
  const settings = useQuery({
    queryKey: ['payment-settings', companyId],
    queryFn: () => api.paymentSettings.get.query({ companyId }),
    enabled: can('admin'),
  });

  if (!loading && !can('admin')) {
    return (
      <Alert color="yellow" role="alert" title={t('payments.adminsOnly')}>
        {t('payments.adminsOnlyText')}
      </Alert>
    );
  }
  return (
    <Stack gap="lg" maw={760}>
      <Title order={1}>{t('payments.title')}</Title>
      <Text c="dimmed" size="sm">
        {t('payments.intro')}
      </Text>
      {settings.isError && (
        <Alert color="red" role="alert" title={t('payments.couldNotLoad')}>
          {t('payments.couldNotLoadText')}
        </Alert>
      )}
      {settings.data && <SettingsForm key={settings.data.updatedAt?.toString() ?? 'new'} settings={settings.data} />}
    </Stack>
  );
}

function SettingsForm({ settings }: { settings: Settings }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [provider, setProvider] = useState<PaymentProvider>(settings.provider);
  const [shopId, setShopId] = useState(settings.yookassa?.shopId ?? '');
  const [yookassaKey, setYookassaKey] = useState('');
  const [stripeKey, setStripeKey] = useState('');
  const [stripeWebhook, setStripeWebhook] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  useEffect(() => setProblems({}), [provider]);

  const save = useMutation({
    mutationFn: (input: Parameters<typeof api.paymentSettings.update.mutate>[0]) =>
      api.paymentSettings.update.mutate(input),
    onSuccess: (saved) => {
      notifySuccess(t('payments.saved'));
      qc.setQueryData(['payment-settings', settings.companyId], saved);
    },
    onError: (e) => notifyError(e, t('payments.couldNotSave'), SAVE_ERRORS),
  });

  const submit = () => {
    const found: Problems = {};
    const input: Parameters<typeof api.paymentSettings.update.mutate>[0] = { companyId: settings.companyId, provider };
    const shopChanged = shopId.trim() !== (settings.yookassa?.shopId ?? '');
    if (provider === 'yookassa' && (yookassaKey || shopChanged || !settings.yookassa)) {
      if (!yookassaCredentialsInput.shape.shopId.safeParse(shopId).success)
        found.shopId = 'payments.yookassa.badShopId';
      if (!yookassaCredentialsInput.shape.secretKey.safeParse(yookassaKey).success) {
        found.yookassaKey = yookassaKey ? 'payments.yookassa.badKey' : 'payments.yookassa.retypeKey';
      }
      input.yookassa = { shopId: shopId.trim(), secretKey: yookassaKey.trim() };
    }
    if (provider === 'stripe' && (stripeKey || stripeWebhook || !settings.stripe?.webhookSecretHint)) {
      if (!stripeCredentialsInput.shape.secretKey.safeParse(stripeKey).success) {
        found.stripeKey = stripeKey ? 'payments.stripe.badKey' : 'payments.stripe.retypeBoth';
      }
      if (!stripeCredentialsInput.shape.webhookSecret.safeParse(stripeWebhook).success) {
        found.stripeWebhook = stripeWebhook ? 'payments.stripe.badWebhookSecret' : 'payments.stripe.retypeBoth';
      }
      input.stripe = { secretKey: stripeKey.trim(), webhookSecret: stripeWebhook.trim() };
    }
    setProblems(found);
    if (Object.keys(found).length === 0) save.mutate(input);
  };

  const problem = (k: keyof Problems) => (problems[k] ? t(problems[k]) : undefined);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="lg">
        <Paper withBorder p="md" data-current-provider={settings.provider}>
          <Radio.Group
            label={t('payments.provider')}
            description={t('payments.current', { provider: t(`payments.providers.${settings.provider}`) })}
            value={provider}
            onChange={(v) => setProvider(v as PaymentProvider)}
          >
            <Stack gap="xs" mt="xs">
              {PROVIDERS.map((p) => (
                <Radio key={p} value={p} label={t(`payments.providers.${p}`)} description={t(`payments.about.${p}`)} />
              ))}
            </Stack>
          </Radio.Group>
        </Paper>

        {provider === 'yookassa' && (
          <Paper withBorder p="md">
            <Stack>
              <Title order={2} size="h4">
                {t('payments.providers.yookassa')}
              </Title>
              <TextInput
                label={t('payments.yookassa.shopId')}
                value={shopId}
                onChange={(e) => setShopId(e.currentTarget.value)}
                maxLength={20}
                inputMode="numeric"
                autoComplete="off"
                error={problem('shopId')}
              />
              <PasswordInput
                label={t('payments.yookassa.secretKey')}
                description={
                  settings.yookassa
                    ? t('payments.keptUnlessRetyped', { hint: settings.yookassa.secretKeyHint })
                    : t('payments.yookassa.secretKeyHelp')
                }
                value={yookassaKey}
                onChange={(e) => setYookassaKey(e.currentTarget.value)}
                maxLength={255}
                autoComplete="new-password"
                error={problem('yookassaKey')}
              />
              <NotificationUrl url={settings.notificationUrls.yookassa} note={t('payments.yookassa.note')} />
            </Stack>
          </Paper>
        )}

        {provider === 'stripe' && (
          <Paper withBorder p="md">
            <Stack>
              <Title order={2} size="h4">
                {t('payments.providers.stripe')}
              </Title>
              <PasswordInput
                label={t('payments.stripe.secretKey')}
                description={
                  settings.stripe
                    ? t('payments.keptUnlessRetyped', { hint: settings.stripe.secretKeyHint })
                    : t('payments.stripe.secretKeyHelp')
                }
                value={stripeKey}
                onChange={(e) => setStripeKey(e.currentTarget.value)}
                maxLength={255}
                autoComplete="new-password"
                error={problem('stripeKey')}
              />
              <PasswordInput
                label={t('payments.stripe.webhookSecret')}
                description={
                  settings.stripe?.webhookSecretHint
                    ? t('payments.keptUnlessRetyped', { hint: settings.stripe.webhookSecretHint })
                    : t('payments.stripe.webhookSecretHelp')
                }
                value={stripeWebhook}
                onChange={(e) => setStripeWebhook(e.currentTarget.value)}
                maxLength={255}
                autoComplete="new-password"
                error={problem('stripeWebhook')}
              />
              <NotificationUrl url={settings.notificationUrls.stripe} note={t('payments.stripe.note')} />
            </Stack>
          </Paper>
        )}

        {provider === 'manual' && (
          <Alert color="blue" title={t('payments.providers.manual')}>
            {t('payments.manualNote')}
          </Alert>
        )}

        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            {t('payments.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function NotificationUrl({ url, note }: { url: string; note: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500}>
        {t('payments.notificationUrl')}
      </Text>
      <Group gap="xs" wrap="nowrap">
        <Code block data-notification-url style={{ flex: 1, overflowWrap: 'anywhere' }}>
          {url}
        </Code>
        <CopyButton value={url}>
          {({ copied, copy }) => (
            <Button variant="light" size="xs" onClick={copy}>
              {copied ? t('payments.copied') : t('payments.copy')}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Text size="sm" c="dimmed">
        {note}
      </Text>
    </Stack>
  );
}
