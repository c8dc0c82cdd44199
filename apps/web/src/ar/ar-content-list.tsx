// The AR content of one project, on the project page: list (paged), filter archived, create.
import { Anchor, Button, Group, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { api } from '../api.ts';
import { CreateModal } from '../components/create-modal.tsx';
import { notifySuccess } from '../components/notify.ts';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { useFormat } from '../i18n/dashboard.ts';
import { ArStatusBadge, DetectionScoreBadge } from './ar-status.tsx';

export function ArContentSection({
  projectId,
  companyId,
  canCreate,
}: {
  projectId: string;
  companyId: string;
  canCreate: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const [showArchived, setShowArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState('');
  const query = search.trim();
  const list = usePagedList({
    queryKey: ['ar-contents', projectId, showArchived, query],
    fetchPage: (cursor) =>
      api.arContent.list.query({
        projectId,
        limit: 50,
        cursor,
        includeArchived: showArchived,
        ...(query ? { search: query } : {}),
      }),
    pollWhile: (c) => c.status === 'MARKER_PROCESSING',
    pollMs: 2000,
  });

  return (
    <section aria-labelledby="ar-heading">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="ar-heading">
          {t('arList.title')}
        </Title>
        <Group gap="sm">
          <TextInput
            size="sm"
            aria-label={t('arList.search')}
            placeholder={t('arList.searchPlaceholder')}
            maxLength={100}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={260}
          />
          <Switch
            label={t('arList.showArchived')}
            size="sm"
            checked={showArchived}
            onChange={(e) => setShowArchived(e.currentTarget.checked)}
          />
          {canCreate && (
            <Button size="sm" variant="default" component={Link} href={`/c/${companyId}/projects/${projectId}/import`}>
              {t('csvImport.open')}
            </Button>
          )}
          {canCreate && (
            <Button size="sm" onClick={() => setCreating(true)}>
              {t('arList.new')}
            </Button>
          )}
        </Group>
      </Group>
      <PagedTable
        list={list}
        aria-labelledby="ar-heading"
        columns={[
          t('arList.columns.title'),
          t('arList.columns.status'),
          t('arList.columns.marker'),
          t('arList.columns.valid'),
          t('arList.columns.added'),
        ]}
        empty={query ? t('arList.noMatch') : canCreate ? t('arList.emptyEditor') : t('arList.empty')}
        row={(c) => (
          <Table.Tr key={c.id} data-ar-content-id={c.id}>
            <Table.Td>
              <Anchor component={Link} href={`/c/${companyId}/ar/${c.id}`} fw={500}>
                {c.title}
              </Anchor>
              {c.customer.name && (
                <Text size="xs" c="dimmed">
                  {c.customer.name}
                  {c.customer.orderRef ? ` · ${c.customer.orderRef}` : ''}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <ArStatusBadge status={c.status} />
            </Table.Td>
            <Table.Td>
              {c.marker.detectionScore !== null ? (
                <DetectionScoreBadge score={c.marker.detectionScore} />
              ) : (
                <Text size="sm" c="dimmed">
                  —
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="sm" c={c.expired ? 'red' : undefined}>
                {c.expired
                  ? t('arList.expired')
                  : c.activeFrom || c.expiresAt
                    ? t('arList.range', {
                        from: c.activeFrom ? f.dateTime(c.activeFrom) : t('arList.now'),
                        to: c.expiresAt ? f.dateTime(c.expiresAt) : t('arList.openEnd'),
                      })
                    : t('arList.always')}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{f.dateTime(c.createdAt)}</Text>
            </Table.Td>
          </Table.Tr>
        )}
      />
      <CreateArContentModal
        opened={creating}
        onClose={() => setCreating(false)}
        projectId={projectId}
        companyId={companyId}
      />
    </section>
  );
}

function CreateArContentModal({
  opened,
  onClose,
  projectId,
  companyId,
}: {
  opened: boolean;
  onClose: () => void;
  projectId: string;
  companyId: string;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  return (
    <CreateModal
      opened={opened}
      onClose={onClose}
      title={t('arList.createTitle')}
      nameLabel={t('arList.nameLabel')}
      nameKey="title"
      submitLabel={t('arList.create')}
      failure={t('arList.couldNotCreate')}
      create={(title, description) => api.arContent.create.mutate({ projectId, title, description })}
      onCreated={(c) => {
        notifySuccess(t('arList.created', { title: c.title }));
        void qc.invalidateQueries({ queryKey: ['ar-contents', projectId] });
        navigate(`/c/${companyId}/ar/${c.id}`);
      }}
    />
  );
}
