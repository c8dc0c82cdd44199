// The AR content of one project, on the project page: list (paged), filter archived, create.
import { Anchor, Button, Group, Switch, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../api.ts';
import { CreateModal } from '../components/create-modal.tsx';
import { formatDate } from '../components/format.ts';
import { notifySuccess } from '../components/notify.ts';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { ArStatusBadge, RatingBadge } from './ar-status.tsx';

export function ArContentSection({
  projectId,
  companyId,
  canCreate,
}: {
  projectId: string;
  companyId: string;
  canCreate: boolean;
}) {
  const [showArchived, setShowArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const list = usePagedList({
    queryKey: ['ar-contents', projectId, showArchived],
    fetchPage: (cursor) => api.arContent.list.query({ projectId, limit: 50, cursor, includeArchived: showArchived }),
    pollWhile: (c) => c.status === 'MARKER_PROCESSING',
    pollMs: 2000,
  });

  return (
    <section aria-labelledby="ar-heading">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="ar-heading">
          AR content
        </Title>
        <Group gap="sm">
          <Switch
            label="Show archived"
            size="sm"
            checked={showArchived}
            onChange={(e) => setShowArchived(e.currentTarget.checked)}
          />
          {canCreate && (
            <Button size="sm" onClick={() => setCreating(true)}>
              New AR content
            </Button>
          )}
        </Group>
      </Group>
      <PagedTable
        list={list}
        aria-labelledby="ar-heading"
        columns={['Title', 'Status', 'Marker', 'Valid', 'Added']}
        empty={`No AR content yet.${canCreate ? ' Create one, upload its marker image and choose the videos it plays.' : ''}`}
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
              {c.marker.rating ? (
                <RatingBadge rating={c.marker.rating} score={c.marker.score} />
              ) : (
                <Text size="sm" c="dimmed">
                  —
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="sm" c={c.expired ? 'red' : undefined}>
                {c.expired
                  ? 'Expired'
                  : c.activeFrom || c.expiresAt
                    ? `${c.activeFrom ? formatDate(c.activeFrom) : 'now'} – ${c.expiresAt ? formatDate(c.expiresAt) : 'open end'}`
                    : 'Always'}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{formatDate(c.createdAt)}</Text>
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
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  return (
    <CreateModal
      opened={opened}
      onClose={onClose}
      title="New AR content"
      nameLabel="AR content title"
      nameKey="title"
      submitLabel="Create AR content"
      failure="Could not create the AR content"
      create={(title, description) => api.arContent.create.mutate({ projectId, title, description })}
      onCreated={(c) => {
        notifySuccess(`“${c.title}” created. Upload its marker image next.`);
        void qc.invalidateQueries({ queryKey: ['ar-contents', projectId] });
        navigate(`/c/${companyId}/ar/${c.id}`);
      }}
    />
  );
}
