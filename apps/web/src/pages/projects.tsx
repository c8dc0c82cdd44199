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
import { Link } from 'wouter';
import { api, type RouterOutputs } from '../api.ts';
import { CreateModal } from '../components/create-modal.tsx';
import { formatBytes, formatDate } from '../components/format.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { useCompany } from '../components/use-company.ts';
import { ConfirmModal } from '../components/confirm-modal.tsx';

type Project = RouterOutputs['project']['list']['items'][number];

export function ProjectsPage() {
  const { companyId, can } = useCompany();
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
      notifySuccess(`“${p.name}” was archived`);
      setArchiving(null);
      void qc.invalidateQueries({ queryKey: ['projects', companyId] });
    },
    onError: (err) => notifyError(err, 'Could not archive the project'),
  });

  const c = company.data;
  const usedPct = c ? Math.min(100, ((c.storageUsedBytes + c.storageReservedBytes) / c.storageQuotaBytes) * 100) : 0;

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Projects</Title>
          <Text c="dimmed">{c?.name}</Text>
        </div>
        {can('editor') && <Button onClick={() => setCreating(true)}>New project</Button>}
      </Group>

      {c && (
        <Paper withBorder p="md" maw={420}>
          <Text size="sm" fw={500} id="storage-label">
            Storage
          </Text>
          <Progress
            value={usedPct}
            mt={6}
            aria-labelledby="storage-label"
            aria-valuetext={`${usedPct.toFixed(0)}% used`}
          />
          <Text size="xs" c="dimmed" mt={6}>
            {formatBytes(c.storageUsedBytes)} used
            {c.storageReservedBytes ? `, ${formatBytes(c.storageReservedBytes)} uploading` : ''} of{' '}
            {formatBytes(c.storageQuotaBytes)}
          </Text>
        </Paper>
      )}

      <Switch
        label="Show archived projects"
        checked={showArchived}
        onChange={(e) => setShowArchived(e.currentTarget.checked)}
      />

      <PagedTable
        list={projects}
        aria-label="Projects"
        columns={['Name', 'Description', 'Created', <VisuallyHidden key="actions">Actions</VisuallyHidden>]}
        empty={`No projects yet.${can('editor') ? ' Create one to start uploading videos.' : ''}`}
        row={(p) => (
          <Table.Tr key={p.id}>
            <Table.Td>
              <Group gap="xs">
                <Anchor component={Link} href={`/c/${companyId}/projects/${p.id}`} fw={500}>
                  {p.name}
                </Anchor>
                {p.archivedAt && <Badge color="gray">Archived</Badge>}
              </Group>
            </Table.Td>
            <Table.Td>
              <Text size="sm" c="dimmed" lineClamp={1}>
                {p.description ?? ''}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{formatDate(p.createdAt)}</Text>
            </Table.Td>
            <Table.Td ta="right">
              {can('admin') && !p.archivedAt && (
                <Button
                  variant="subtle"
                  color="red"
                  size="xs"
                  onClick={() => setArchiving(p)}
                  aria-label={`Archive ${p.name}`}
                >
                  Archive
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
        title="Archive project?"
        confirmLabel="Archive"
        pending={archive.isPending}
        onConfirm={() => archiving && archive.mutate(archiving.id)}
      >
        “{archiving?.name}” will be hidden from the list and will not accept new uploads. Its videos stay available.
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
  return (
    <CreateModal
      opened={opened}
      onClose={onClose}
      title="New project"
      nameLabel="Project name"
      nameKey="name"
      submitLabel="Create project"
      failure="Could not create the project"
      create={(name, description) => api.project.create.mutate({ companyId, name, description })}
      onCreated={(p) => {
        notifySuccess(`Project “${p.name}” created`);
        void qc.invalidateQueries({ queryKey: ['projects', companyId] });
      }}
    />
  );
}
