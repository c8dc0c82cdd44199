// One project: upload videos and see them move through processing; its AR content; a link to its analytics.
import { Anchor, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { api } from '../api.ts';
import { ArContentSection } from '../ar/ar-content-list.tsx';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { useCompany } from '../components/use-company.ts';
import { SETTLED, VideoStatusBadge } from '../components/video-status.tsx';
import { UploadPanel } from '../upload/upload-panel.tsx';
import { ProjectCrumbs } from '../components/project-crumbs.tsx';
import { useFormat } from '../i18n/dashboard.ts';
import { failureText } from '../pipeline.ts';

export function ProjectPage() {
  const { projectId = '' } = useParams<{ projectId: string }>();
  const { companyId, can } = useCompany();
  const { t } = useTranslation();
  const f = useFormat();
  const project = useQuery({
    queryKey: ['project', projectId],
    queryFn: () => api.project.byId.query({ id: projectId }),
  });
  const videos = usePagedList({
    queryKey: ['videos', projectId],
    fetchPage: (cursor) => api.video.list.query({ projectId, limit: 50, cursor }),
    // Until live status lands per row, poll while anything is still moving.
    pollWhile: (v) => !SETTLED.has(v.status),
  });
  const archived = Boolean(project.data?.archivedAt);

  return (
    <Stack gap="lg">
      <ProjectCrumbs companyId={companyId} current={project.data?.name ?? '…'} />
      <Group justify="space-between">
        <div>
          <Group gap="xs">
            <Title order={1}>{project.data?.name ?? t('project.project')}</Title>
            {archived && <Badge color="gray">{t('project.archived')}</Badge>}
          </Group>
          {project.data?.description && <Text c="dimmed">{project.data.description}</Text>}
        </div>
        <Group gap="sm">
          {can('editor') && !archived && (
            <Button variant="default" component={Link} href={`/c/${companyId}/projects/${projectId}/edit`}>
              {t('projectEdit.edit')}
            </Button>
          )}
          <Button variant="default" component={Link} href={`/c/${companyId}/projects/${projectId}/analytics`}>
            {t('project.analytics')}
          </Button>
        </Group>
      </Group>

      {can('editor') && !archived && (
        <section aria-labelledby="upload-heading">
          <Title order={2} size="h4" id="upload-heading" mb="xs">
            {t('project.upload')}
          </Title>
          <UploadPanel projectId={projectId} companyId={companyId} />
        </section>
      )}

      <section aria-labelledby="videos-heading">
        <Title order={2} size="h4" id="videos-heading" mb="xs">
          {t('project.videos')}
        </Title>
        <PagedTable
          list={videos}
          aria-labelledby="videos-heading"
          columns={[
            t('project.columns.title'),
            t('project.columns.status'),
            t('project.columns.size'),
            t('project.columns.added'),
          ]}
          empty={t('project.empty')}
          row={(v) => (
            <Table.Tr key={v.id} data-video-id={v.id}>
              <Table.Td>
                <Anchor component={Link} href={`/c/${companyId}/videos/${v.id}`} fw={500}>
                  {v.title}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {v.fileName}
                </Text>
              </Table.Td>
              <Table.Td>
                <VideoStatusBadge status={v.status} />
                {v.failure && (
                  <Text size="xs" c="red" mt={2}>
                    {failureText(v.failure.code)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{f.bytes(v.sizeBytes)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{f.dateTime(v.createdAt)}</Text>
              </Table.Td>
            </Table.Tr>
          )}
        />
      </section>

      <ArContentSection projectId={projectId} companyId={companyId} canCreate={can('editor') && !archived} />
    </Stack>
  );
}
