// Projects of the current company: list, create, archive; with the company's storage use.
import {
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  Stack,
  Switch,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api, type RouterOutputs } from '../api.ts';
import { CreateModal } from '../components/create-modal.tsx';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { useCompany } from '../components/use-company.ts';
import { ConfirmModal } from '../components/confirm-modal.tsx';
import { useFormat } from '../i18n/dashboard.ts';

type Project = RouterOutputs['project']['list']['items'][number];

export function ProjectsPage() {
  const { companyId, can } = useCompany();
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const [showArchived, setShowArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const [archiving, setArchiving] = useState<Project | null>(null);

  const company = useQuery({
    queryKey: ['company', companyId],
    queryFn: () => api.company.byId.query({ id: companyId }),
  });
  const projects = usePagedList({
    queryKey: ['projects', companyId, showArchived],
    fetchPage: (cursor) => api.project.list.query({ companyId, limit: 50, includeArchived: showArchived, cursor }),
  });
  const archive = useMutation({
    mutationFn: (id: string) => api.project.archive.mutate({ id }),
    onSuccess: (p) => {
      notifySuccess(t('projects.archivedToast', { name: p.name }));
      setArchiving(null);
      void qc.invalidateQueries({ queryKey: ['projects', companyId] });
    },
    onError: (err) => notifyError(err, t('projects.couldNotArchive')),
  });

  const c = company.data;
  const usedPct = c ? Math.min(100, ((c.storageUsedBytes + c.storageReservedBytes) / c.storageQuotaBytes) * 100) : 0;
  const storageText = c
    ? t(c.storageReservedBytes ? 'projects.storageUsedUploading' : 'projects.storageUsed', {
        used: f.bytes(c.storageUsedBytes),
        reserved: f.bytes(c.storageReservedBytes),
        quota: f.bytes(c.storageQuotaBytes),
      })
    : '';

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>{t('projects.title')}</Title>
          <Text c="dimmed">{c?.name}</Text>
        </div>
        {can('editor') && <Button onClick={() => setCreating(true)}>{t('projects.newProject')}</Button>}
      </Group>

      {c && (
        <Paper withBorder p="md" maw={420}>
          <Text size="sm" fw={500} id="storage-label">
            {t('projects.storage')}
          </Text>
          <Progress
            value={usedPct}
            mt={6}
            aria-labelledby="storage-label"
            aria-valuetext={t('projects.storageUsedPct', { percent: f.percent(usedPct / 100) })}
          />
          <Text size="xs" c="dimmed" mt={6}>
            {storageText}
          </Text>
        </Paper>
      )}

      <Switch
        label={t('projects.showArchived')}
        checked={showArchived}
        onChange={(e) => setShowArchived(e.currentTarget.checked)}
      />

      <PagedTable
        list={projects}
        aria-label={t('projects.title')}
        columns={[
          t('projects.columns.name'),
          t('projects.columns.description'),
          t('projects.columns.created'),
          <VisuallyHidden key="actions">{t('projects.columns.actions')}</VisuallyHidden>,
        ]}
        empty={can('editor') ? t('projects.emptyEditor') : t('projects.empty')}
        row={(p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Group gap="xs">
                <Anchor component={Link} href={`/c/${companyId}/projects/${p.id}`} fw={500}>
                  {p.name}
                </Anchor>
                {p.archivedAt && <Badge color="gray">{t('projects.archived')}</Badge>}
              </Group>
            </Table.Td>
            <Table.Td>
              <Text size="sm" c="dimmed" lineClamp={1}>
                {p.description ?? ''}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{f.dateTime(p.createdAt)}</Text>
            </Table.Td>
            <Table.Td ta="right">
              {can('admin') && !p.archivedAt && (
                <Button
                  variant="subtle"
                  color="red"
                  size="xs"
                  onClick={() => setArchiving(p)}
                  aria-label={t('projects.archiveLabel', { name: p.name })}
                >
                  {t('projects.archive')}
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        )}
      />

      <CreateProjectModal opened={creating} onClose={() => setCreating(false)} companyId={companyId} />
      <ConfirmModal
        opened={archiving !== null}
        onClose={() => setArchiving(null)}
        title={t('projects.archiveTitle')}
        confirmLabel={t('projects.archive')}
        pending={archive.isPending}
        onConfirm={() => archiving && archive.mutate(archiving.id)}
      >
        {t('projects.archiveText', { name: archiving?.name ?? '' })}
      </ConfirmModal>
    </Stack>
  );
}

function CreateProjectModal({
  opened,
  onClose,
  companyId,
}: {
  opened: boolean;
  onClose: () => void;
  companyId: string;
}) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  return (
    <CreateModal
      opened={opened}
      onClose={onClose}
      title={t('projects.createTitle')}
      nameLabel={t('projects.nameLabel')}
      nameKey="name"
      submitLabel={t('projects.create')}
      failure={t('projects.couldNotCreate')}
      create={(name, description) => api.project.create.mutate({ companyId, name, description })}
      onCreated={(p) => {
        notifySuccess(t('projects.created', { name: p.name }));
        void qc.invalidateQueries({ queryKey: ['projects', companyId] });
      }}
    />
  );
}
