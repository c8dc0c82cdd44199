// The company logo on the settings page: pick a PNG or JPEG (checked here with the API's own limits), upload it through
// the presigned PUT, complete it, preview it; remove it. The logo is printed at the top of the company's invoices.
import { LOGO_EXTENSIONS, LOGO_MAX_BYTES, logoFileProblem, type LogoContentType } from '@arvlite/contract';
import { Button, FileButton, Group, Image, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { putFile } from '../ar/marker-upload.ts';
import { notifyError, notifySuccess } from './notify.ts';

const ACCEPT = Object.keys(LOGO_EXTENSIONS).join(',');

export function CompanyLogo({ companyId }: { companyId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  // Its own query: refreshing the logo must not reset the settings form's unsaved edits (which follow ['company', id]).
  const read = useQuery({
    queryKey: ['company-logo', companyId],
    queryFn: () => api.company.byId.query({ id: companyId }),
  });
  const logoUrl = read.data?.logoUrl ?? null;
  const [problem, setProblem] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['company-logo', companyId] });
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const target = await api.company.createLogoUpload.mutate({
        companyId,
        contentType: file.type as LogoContentType,
        size: file.size,
      });
      await putFile(target.url, file, target.headers, () => {});
      return api.company.completeLogoUpload.mutate({ companyId, key: target.key });
    },
    onSuccess: async () => {
      await refresh();
      notifySuccess(t('settings.logoSaved'));
    },
    onError: (err) => notifyError(err, t('settings.logoCouldNotUpload')),
  });
  const remove = useMutation({
    mutationFn: () => api.company.removeLogo.mutate({ companyId }),
    onSuccess: async () => {
      await refresh();
      notifySuccess(t('settings.logoRemoved'));
    },
    onError: (err) => notifyError(err, t('settings.logoCouldNotRemove')),
  });
  const pick = (file: File | null) => {
    if (!file) return;
    const found = logoFileProblem(file);
    setProblem(
      found === 'TYPE'
        ? t('settings.logoWrongType')
        : found === 'SIZE'
          ? t('settings.logoTooLarge', { mib: LOGO_MAX_BYTES / 1024 / 1024 })
          : null,
    );
    if (!found) upload.mutate(file);
  };
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        {t('settings.logo')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('settings.logoHint', { mib: LOGO_MAX_BYTES / 1024 / 1024 })}
      </Text>
      {logoUrl ? (
        <Image src={logoUrl} alt={t('settings.logoAlt')} h={64} w="auto" fit="contain" maw={240} />
      ) : (
        <Text size="sm">{t('settings.logoNone')}</Text>
      )}
      {problem && (
        <Text size="sm" c="red" role="alert">
          {problem}
        </Text>
      )}
      <Group>
        <FileButton onChange={pick} accept={ACCEPT}>
          {(props) => (
            <Button {...props} variant="default" loading={upload.isPending}>
              {logoUrl ? t('settings.logoReplace') : t('settings.logoPick')}
            </Button>
          )}
        </FileButton>
        {logoUrl && (
          <Button variant="subtle" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
            {t('settings.logoRemove')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}
