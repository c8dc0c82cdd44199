// The landing redirect (last company, else the first, else onboarding), company creation, and company settings
// (name, time zone, the language of the company's viewer pages, the details and the logo printed on invoices).
import { LANGUAGES, ORDER_TEXT_LIMITS, type Language } from '@arvlite/contract';
import { Alert, Button, Center, Loader, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Redirect, useLocation } from 'wouter';
import { api, fieldErrors } from '../api.ts';
import { useMe } from '../auth/use-session.ts';
import { CompanyLogo } from '../components/company-logo.tsx';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { Shell } from '../components/shell.tsx';
import { LAST_COMPANY_KEY, useCompany } from '../components/use-company.ts';
import { useFormSeed } from '../components/use-form-seed.ts';
import { language as uiLanguage } from '../i18n/dashboard.ts';

export function HomePage() {
  const { t } = useTranslation();
  const me = useMe();
  if (me.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  }
  const memberships = me.data?.memberships ?? [];
  const last = window.localStorage.getItem(LAST_COMPANY_KEY);
  const target = memberships.find((m) => m.companyId === last) ?? memberships[0];
  if (target) return <Redirect to={`/c/${target.companyId}/projects`} replace />;
  return (
    <Shell>
      <NewCompanyPage first />
    </Shell>
  );
}

/** The language of a company's viewer pages: what people who scan its prints read unless they choose another. */
function ViewerLanguageSelect({ value, onChange }: { value: Language; onChange: (lng: Language) => void }) {
  const { t } = useTranslation();
  return (
    <Select
      label={t('companies.viewerLanguage')}
      description={t('companies.viewerLanguageHint')}
      allowDeselect={false}
      value={value}
      data={LANGUAGES.map((lng) => ({ value: lng, label: t(`common:language.${lng}`) }))}
      onChange={(v) => v && onChange(v as Language)}
      maw={320}
    />
  );
}

export function NewCompanyPage({ first = false }: { first?: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  // The operator's own language is the likeliest one for their customers too.
  const [language, setLanguage] = useState<Language>(uiLanguage);
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const create = useMutation({
    mutationFn: () => api.company.create.mutate({ name, timezone, language }),
    onSuccess: async (company) => {
      await qc.invalidateQueries({ queryKey: ['me'] });
      navigate(`/c/${company.id}/projects`);
    },
    onError: (err) => {
      if (!fieldErrors(err).name) notifyError(err, t('companies.couldNotCreate'));
    },
  });
  return (
    <Stack maw={520} mx="auto" mt="xl">
      <Title order={1}>{first ? t('companies.welcome') : t('companies.newTitle')}</Title>
      <Text c="dimmed">{t('companies.intro')}</Text>
      <Paper withBorder p="lg">
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            <TextInput
              label={t('companies.name')}
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldErrors(create.error).name}
              data-autofocus
            />
            <ViewerLanguageSelect value={language} onChange={setLanguage} />
            <Text size="sm" c="dimmed">
              {t('companies.timezone', { timezone })}
            </Text>
            <Button type="submit" loading={create.isPending}>
              {t('companies.create')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Stack>
  );
}

const companyValues = (c: {
  name: string;
  timezone: string;
  language: Language;
  billing: { legalName: string | null; address: string | null; taxId: string | null; bankDetails: string | null };
}) => ({
  name: c.name,
  timezone: c.timezone,
  language: c.language,
  legalName: c.billing.legalName ?? '',
  address: c.billing.address ?? '',
  taxId: c.billing.taxId ?? '',
  bankDetails: c.billing.bankDetails ?? '',
});

export function CompanySettingsPage() {
  const { t } = useTranslation();
  const { companyId, can, loading } = useCompany();
  const qc = useQueryClient();
  const company = useQuery({
    queryKey: ['company', companyId],
    queryFn: () => api.company.byId.query({ id: companyId }),
  });
  const c = company.data;
  const [values, setValues] = useFormSeed(c, companyValues);
  const save = useMutation({
    mutationFn: () => {
      const { name, timezone, language, legalName, address, taxId, bankDetails } = values!;
      const orNull = (v: string) => (v.trim() ? v : null);
      return api.company.update.mutate({
        id: companyId,
        name,
        timezone,
        language,
        billing: {
          legalName: orNull(legalName),
          address: orNull(address),
          taxId: orNull(taxId),
          bankDetails: orNull(bankDetails),
        },
      });
    },
    onSuccess: (updated) => {
      qc.setQueryData(['company', companyId], updated);
      void qc.invalidateQueries({ queryKey: ['me'] });
      notifySuccess(t('settings.saved'));
    },
    onError: (err) => {
      if (!Object.keys(fieldErrors(err)).length) notifyError(err, t('settings.couldNotSave'));
    },
  });

  if (!loading && !can('admin')) {
    return (
      <Alert color="yellow" role="alert" title={t('audit.adminsOnly')}>
        {t('settings.adminsOnly')}
      </Alert>
    );
  }
  const errors = fieldErrors(save.error);
  return (
    <Stack gap="lg" maw={520}>
      <Title order={1}>{t('settings.title')}</Title>
      {c && (
        <Paper withBorder p="lg">
          <CompanyLogo companyId={companyId} />
        </Paper>
      )}
      {!values ? (
        <Loader aria-label={t('app.loading')} />
      ) : (
        <Paper withBorder p="lg">
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate();
            }}
          >
            <Stack>
              <TextInput
                label={t('settings.name')}
                required
                value={values.name}
                onChange={(e) => setValues({ ...values, name: e.currentTarget.value })}
                error={errors.name}
              />
              <TextInput
                label={t('settings.timezone')}
                description={t('settings.timezoneHint')}
                required
                value={values.timezone}
                onChange={(e) => setValues({ ...values, timezone: e.currentTarget.value })}
                error={errors.timezone}
              />
              <ViewerLanguageSelect
                value={values.language}
                onChange={(language) => setValues({ ...values, language })}
              />
              <Title order={2} size="h4" mt="sm">
                {t('settings.billing')}
              </Title>
              <Text size="sm" c="dimmed">
                {t('settings.billingHint')}
              </Text>
              {errors.billing && (
                <Text size="sm" c="red" role="alert">
                  {errors.billing}
                </Text>
              )}
              <TextInput
                label={t('settings.legalName')}
                maxLength={ORDER_TEXT_LIMITS.legalName}
                value={values.legalName}
                onChange={(e) => setValues({ ...values, legalName: e.currentTarget.value })}
              />
              <Textarea
                label={t('settings.address')}
                autosize
                minRows={2}
                maxLength={ORDER_TEXT_LIMITS.billingAddress}
                value={values.address}
                onChange={(e) => setValues({ ...values, address: e.currentTarget.value })}
              />
              <TextInput
                label={t('settings.taxId')}
                maxLength={ORDER_TEXT_LIMITS.taxId}
                value={values.taxId}
                onChange={(e) => setValues({ ...values, taxId: e.currentTarget.value })}
              />
              <Textarea
                label={t('settings.bankDetails')}
                autosize
                minRows={3}
                maxLength={ORDER_TEXT_LIMITS.bankDetails}
                value={values.bankDetails}
                onChange={(e) => setValues({ ...values, bankDetails: e.currentTarget.value })}
              />
              <Button type="submit" loading={save.isPending} style={{ alignSelf: 'flex-start' }}>
                {t('settings.save')}
              </Button>
            </Stack>
          </form>
        </Paper>
      )}
    </Stack>
  );
}
