// One project: upload videos and see them move through processing; its AR content; a link to its analytics.
import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'wouter';
import { api } from '../api.ts';
import { ArContentSection } from '../ar/ar-content-list.tsx';
import { formatBytes, formatDate } from '../components/format.ts';
import { useCompany } from '../components/use-company.ts';
import { SETTLED, VideoStatusBadge } from '../components/video-status.tsx';
import { UploadPanel } from '../upload/upload-panel.tsx';
import { ProjectCrumbs } from '../components/project-crumbs.tsx';

export function ProjectPage() {
  const { projectId = '' } = useParams<{ projectId: string }>();
  const { companyId, can } = useCompany();
  const project = useQuery({ queryKey: ['project', projectId], queryFn: () => api.project.byId.query({ id: projectId }) });
  const videos = useInfiniteQuery({
    queryKey: ['videos', projectId],
    queryFn: ({ pageParam }) => api.video.list.query({ projectId, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Until live status lands per row, poll while anything is still moving.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((v) => !SETTLED.has(v.status))) ? 3000 : false),
  });
  const items = videos.data?.pages.flatMap((p) => p.items) ?? [];
  const archived = Boolean(project.data?.archivedAt);

  return (
    <Stack gap="lg">
      <ProjectCrumbs companyId={companyId} current={project.data?.name ?? '…'} />
      <Group justify="space-between">
        <div>
          <Group gap="xs">
            <Title order={1}>{project.data?.name ?? 'Project'}</Title>
            {archived && <Badge color="gray">Archived</Badge>}
          </Group>
          {project.data?.description && <Text c="dimmed">{project.data.description}</Text>}
        </div>
        <Button variant="default" component={Link} href={`/c/${companyId}/projects/${projectId}/analytics`}>
          Analytics
        </Button>
      </Group>

      {can('editor') && !archived && (
        <section aria-labelledby="upload-heading">
          <Title order={2} size="h4" id="upload-heading" mb="xs">
            Upload videos
          </Title>
          <UploadPanel projectId={projectId} companyId={companyId} />
        </section>
      )}

      <section aria-labelledby="videos-heading">
        <Title order={2} size="h4" id="videos-heading" mb="xs">
          Videos
        </Title>
        <Paper withBorder>
          <Table highlightOnHover verticalSpacing="sm" aria-labelledby="videos-heading">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Title</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Size</Table.Th>
                <Table.Th>Added</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((v) => (
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
                        {v.failure.message}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatBytes(v.sizeBytes)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(v.createdAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
              {videos.isSuccess && items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Text ta="center" c="dimmed" py="lg">
                      No videos yet.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Paper>
        {videos.hasNextPage && (
          <Button mt="sm" variant="default" onClick={() => videos.fetchNextPage()} loading={videos.isFetchingNextPage}>
            Load more
          </Button>
        )}
      </section>

      <ArContentSection projectId={projectId} companyId={companyId} canCreate={can('editor') && !archived} />
    </Stack>
  );
}
