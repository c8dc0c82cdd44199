// One AR content item: its marker (upload, score, feature points), sharing (links, QR), playlist and schedule,
// details (validity, customer, playback, printed size), and archive / delete.
import { inputs } from '@arvlite/client';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Fieldset,
  Grid,
  Group,
  Loader,
  NumberInput,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'wouter';
import { api, errorCode, errorMessage, fieldErrors } from '../api.ts';
import { ArStatusBadge, useCompanyTimeZone, type ArContentDetail } from '../ar/ar-status.tsx';
import { detailsValues, toUpdateInput, type DetailsValues, type UpdateInput } from '../ar/details-form.ts';
import { MarkerPanel } from '../ar/marker-panel.tsx';
import { measuringReport } from '../ar/marker-report.tsx';
import { PlaylistEditor } from '../ar/playlist-editor.tsx';
import { QrPanel } from '../ar/qr-panel.tsx';
import { SendToCustomer } from '../ar/send-to-customer.tsx';
import { UploadLinks } from '../ar/upload-links.tsx';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useCompany } from '../components/use-company.ts';
import { ProjectCrumbs } from '../components/project-crumbs.tsx';
import { ConfirmModal } from '../components/confirm-modal.tsx';
import { useFormat } from '../i18n/dashboard.ts';

export function ArContentPage() {
  const { arContentId = '' } = useParams<{ arContentId: string }>();
  const { companyId, can } = useCompany();
  const { t } = useTranslation();
  const f = useFormat();
  const [, navigate] = useLocation();
  const qc = useQueryClient();
  const content = useQuery({
    queryKey: ['ar-content', arContentId],
    queryFn: () => api.arContent.byId.query({ id: arContentId }),
    // The compile takes seconds: follow it closely, then stop; a detection report being measured, less closely.
    refetchInterval: (q) =>
      q.state.data?.status === 'MARKER_PROCESSING' ? 1000 : measuringReport(q.state.data?.marker) ? 2000 : false,
  });
  const c = content.data;
  const project = useQuery({
    queryKey: ['project', c?.projectId],
    queryFn: () => api.project.byId.query({ id: c!.projectId }),
    enabled: Boolean(c?.projectId),
  });
  const [confirm, setConfirm] = useState<'archive' | 'delete' | null>(null);

  const refreshList = () => c && void qc.invalidateQueries({ queryKey: ['ar-contents', c.projectId] });
  const archive = useMutation({
    mutationFn: () => api.arContent.archive.mutate({ id: arContentId }),
    onSuccess: (view) => {
      notifySuccess(t('ar.archivedToast', { title: view.title }));
      qc.setQueryData(['ar-content', arContentId], (old: ArContentDetail | undefined) =>
        old ? { ...old, ...view, marker: { ...old.marker, ...view.marker } } : old,
      );
      refreshList();
      setConfirm(null);
    },
    onError: (err) => notifyError(err, t('ar.couldNotArchive')),
  });
  const remove = useMutation({
    mutationFn: () => api.arContent.delete.mutate({ id: arContentId }),
    onSuccess: () => {
      notifySuccess(t('ar.deleted'));
      refreshList();
      navigate(c ? `/c/${companyId}/projects/${c.projectId}` : `/c/${companyId}/projects`);
    },
    onError: (err) => notifyError(err, t('ar.couldNotDelete')),
  });

  if (content.isPending) return <Loader aria-label={t('ar.loading')} />;
  if (!c) {
    const notFound = errorCode(content.error) === 'NOT_FOUND';
    return (
      <Alert color="red" role="alert" title={notFound ? t('ar.notFound') : t('ar.couldNotLoad')}>
        {notFound ? t('ar.notFoundText') : errorMessage(content.error)}
      </Alert>
    );
  }

  const archived = c.status === 'ARCHIVED';
  const canEdit = can('editor') && !archived;

  return (
    <Stack gap="lg">
      <ProjectCrumbs companyId={companyId} project={{ id: c.projectId, name: project.data?.name }} current={c.title} />

      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={1}>{c.title}</Title>
            <ArStatusBadge status={c.status} />
            {c.expired && (
              <Text c="red" size="sm" fw={500}>
                {t('ar.expired')}
              </Text>
            )}
          </Group>
          {c.description && <Text c="dimmed">{c.description}</Text>}
        </Stack>
        <Group gap="xs">
          <Button
            variant="default"
            component={Link}
            href={`/c/${companyId}/projects/${c.projectId}/analytics?item=${c.id}`}
          >
            {t('ar.analytics')}
          </Button>
          {can('admin') && !archived && (
            <Button variant="default" disabled={c.status === 'MARKER_PROCESSING'} onClick={() => setConfirm('archive')}>
              {t('ar.archive')}
            </Button>
          )}
          {can('admin') && (
            <Button variant="subtle" color="red" onClick={() => setConfirm('delete')}>
              {t('ar.delete')}
            </Button>
          )}
        </Group>
      </Group>

      {archived && (
        <Alert color="gray" title={t('ar.archivedTitle')}>
          {t('ar.archivedText', { date: f.dateTime(c.archivedAt) })}
        </Alert>
      )}

      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <MarkerPanel content={c} canEdit={canEdit} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack>
            <QrPanel content={c} />
            <SendToCustomer content={c} canEdit={canEdit} />
          </Stack>
        </Grid.Col>
      </Grid>

      <UploadLinks content={c} canEdit={canEdit} />

      <PlaylistEditor arContentId={c.id} projectId={c.projectId} canEdit={canEdit} />

      <DetailsForm content={c} companyId={companyId} canEdit={canEdit} />

      <ConfirmModal
        opened={confirm === 'archive'}
        onClose={() => setConfirm(null)}
        title={t('ar.archiveTitle')}
        confirmLabel={t('ar.archive')}
        pending={archive.isPending}
        onConfirm={() => archive.mutate()}
      >
        {t('ar.archiveText', { title: c.title })}
      </ConfirmModal>
      <ConfirmModal
        opened={confirm === 'delete'}
        onClose={() => setConfirm(null)}
        title={t('ar.deleteTitle')}
        confirmLabel={t('ar.delete')}
        pending={remove.isPending}
        onConfirm={() => remove.mutate()}
      >
        {t('ar.deleteText', { title: c.title })}
      </ConfirmModal>
    </Stack>
  );
}

function DetailsForm({
  content,
  companyId,
  canEdit,
}: {
  content: ArContentDetail;
  companyId: string;
  canEdit: boolean;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const timeZone = useCompanyTimeZone(companyId);
  const server = detailsValues(content, timeZone);
  const serverKey = JSON.stringify(server);
  const [values, setValues] = useState(server);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  // Take the server's values when they change (a save, another editor, the time zone arriving), not on every
  // refetch: a marker compile finishing must not throw away unsaved edits.
  useEffect(() => setValues(JSON.parse(serverKey) as DetailsValues), [serverKey]);
  const set = <K extends keyof DetailsValues>(key: K, value: DetailsValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };
  const save = useMutation({
    mutationFn: (input: UpdateInput) => api.arContent.update.mutate(input),
    onSuccess: (view) => {
      qc.setQueryData(['ar-content', content.id], (old: ArContentDetail | undefined) =>
        old ? { ...old, ...view, marker: { ...old.marker, ...view.marker } } : old,
      );
      void qc.invalidateQueries({ queryKey: ['ar-contents', content.projectId] });
      notifySuccess(t('ar.saved'));
    },
    onError: (err) => {
      const f = fieldErrors(err);
      // zod reports a nested field under its object's name: the customer's email or phone, whichever is filled in.
      const customerField = values.customerPhone && !values.customerEmail ? 'customerPhone' : 'customerEmail';
      const mapped = { ...f, [customerField]: f.customer };
      if (Object.values(mapped).some(Boolean)) setErrors(mapped);
      else notifyError(err, t('ar.couldNotSave'), { INVALID_VALIDITY: 'errors.reason.INVALID_VALIDITY' });
    },
  });
  const ro = !canEdit;

  return (
    <Card withBorder component="section" aria-labelledby="details-heading">
      <Title order={2} size="h4" mb="sm" id="details-heading">
        {t('ar.details')}
      </Title>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const { input, errors: problems } = toUpdateInput(content.id, values, timeZone);
          setErrors(problems);
          if (!Object.keys(problems).length) save.mutate(input);
        }}
      >
        <Stack gap="md">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t('ar.title')}
              required
              value={values.title}
              onChange={(e) => set('title', e.currentTarget.value)}
              maxLength={inputs.TEXT_LIMITS.title}
              error={errors.title}
              readOnly={ro}
            />
            <NumberInput
              label={t('ar.widthMm')}
              description={t('ar.widthHint')}
              min={inputs.WIDTH_MM.min}
              max={inputs.WIDTH_MM.max}
              value={values.widthMm}
              onChange={(v) => set('widthMm', v)}
              error={errors.widthMm}
              readOnly={ro}
            />
          </SimpleGrid>
          <Textarea
            label={t('ar.description')}
            autosize
            minRows={2}
            value={values.description}
            onChange={(e) => set('description', e.currentTarget.value)}
            maxLength={inputs.TEXT_LIMITS.description}
            error={errors.description}
            readOnly={ro}
          />

          <Fieldset legend={t('ar.validity', { timezone: timeZone })}>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <DateTimePicker
                label={t('ar.activeFrom')}
                placeholder={t('ar.rightAway')}
                description={t('ar.activeFromHint')}
                value={values.activeFrom}
                onChange={(v) => set('activeFrom', v)}
                error={errors.activeFrom}
                valueFormat="D MMM YYYY HH:mm"
                clearable
                readOnly={ro}
              />
              <DateTimePicker
                label={t('ar.expiresAt')}
                placeholder={t('ar.never')}
                description={t('ar.expiresHint')}
                value={values.expiresAt}
                onChange={(v) => set('expiresAt', v)}
                error={errors.expiresAt}
                valueFormat="D MMM YYYY HH:mm"
                clearable
                readOnly={ro}
              />
            </SimpleGrid>
          </Fieldset>

          <Fieldset legend={t('ar.customer')}>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label={t('ar.customerName')}
                value={values.customerName}
                onChange={(e) => set('customerName', e.currentTarget.value)}
                maxLength={inputs.TEXT_LIMITS.customerName}
                readOnly={ro}
                autoComplete="off"
              />
              <TextInput
                label={t('ar.customerEmail')}
                type="email"
                value={values.customerEmail}
                onChange={(e) => set('customerEmail', e.currentTarget.value)}
                maxLength={inputs.TEXT_LIMITS.email}
                error={errors.customerEmail}
                readOnly={ro}
                autoComplete="off"
              />
              <TextInput
                label={t('ar.customerPhone')}
                type="tel"
                value={values.customerPhone}
                onChange={(e) => set('customerPhone', e.currentTarget.value)}
                maxLength={inputs.TEXT_LIMITS.customerPhone}
                error={errors.customerPhone}
                readOnly={ro}
                autoComplete="off"
              />
              <TextInput
                label={t('ar.orderRef')}
                value={values.orderRef}
                onChange={(e) => set('orderRef', e.currentTarget.value)}
                maxLength={inputs.TEXT_LIMITS.orderRef}
                readOnly={ro}
                autoComplete="off"
              />
            </SimpleGrid>
          </Fieldset>

          <Fieldset legend={t('ar.playback')}>
            <Group gap="xl">
              <Checkbox
                label={t('ar.autoplay')}
                checked={values.autoplay}
                onChange={(e) => set('autoplay', e.currentTarget.checked)}
                disabled={ro}
              />
              <Checkbox
                label={t('ar.loop')}
                checked={values.loop}
                onChange={(e) => set('loop', e.currentTarget.checked)}
                disabled={ro}
              />
              <Checkbox
                label={t('ar.muted')}
                checked={values.muted}
                onChange={(e) => set('muted', e.currentTarget.checked)}
                disabled={ro}
              />
            </Group>
          </Fieldset>

          {canEdit && (
            <Group>
              <Button type="submit" loading={save.isPending}>
                {t('ar.save')}
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Card>
  );
}
