// Views, unique devices and watch time of a project or one of its AR content items, per period, in the company's time zone.
import { Alert, Card, Group, Loader, Progress, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useParams, useSearchParams } from 'wouter';
import { api } from '../api.ts';
import { formatRate, formatWatch, periodLabel, RANGES, rangeOf, type RangeKey } from '../analytics/periods.ts';
import { BarChart } from '../components/bar-chart.tsx';
import { useCompany } from '../components/use-company.ts';
import { ProjectCrumbs } from '../components/project-crumbs.tsx';

const ALL = '';

export function AnalyticsPage() {
  const { projectId = '' } = useParams<{ projectId: string }>();
  const { companyId } = useCompany();
  const [search, setSearch] = useSearchParams();
  const item = search.get('item') ?? ALL;
  const [rangeKey, setRangeKey] = useState<RangeKey>('30d');
  // Fixed when the range is chosen, so refetches ask for the same periods.
  const range = useMemo(() => rangeOf(rangeKey), [rangeKey]);

  const project = useQuery({
    queryKey: ['project', projectId],
    queryFn: () => api.project.byId.query({ id: projectId }),
  });
  const items = useQuery({
    queryKey: ['ar-contents', projectId, 'analytics'],
    queryFn: () => api.arContent.list.query({ projectId, limit: 100, includeArchived: true }),
  });
  const summary = useQuery({
    queryKey: ['analytics', projectId, item, rangeKey, range.from.getTime()],
    queryFn: () => api.analytics.summary.query({ projectId, ...(item ? { arContentId: item } : {}), ...range }),
    placeholderData: keepPreviousData,
  });
  const s = summary.data;
  const label = (start: Date) => periodLabel(start, range.granularity, s?.timezone ?? 'UTC');

  return (
    <Stack gap="lg">
      <ProjectCrumbs companyId={companyId} project={{ id: projectId, name: project.data?.name }} current="Analytics" />
      <Title order={1}>Analytics</Title>

      <Group align="flex-end">
        <Select
          label="AR content"
          w={300}
          allowDeselect={false}
          value={item}
          data={[
            { value: ALL, label: 'All AR content in the project' },
            ...(items.data?.items ?? []).map((c) => ({ value: c.id, label: c.title })),
          ]}
          onChange={(v) => setSearch(v ? { item: v } : {}, { replace: true })}
        />
        <Select
          label="Period"
          w={200}
          allowDeselect={false}
          value={rangeKey}
          data={Object.entries(RANGES).map(([value, r]) => ({ value, label: r.label }))}
          onChange={(v) => v && setRangeKey(v as RangeKey)}
        />
        {summary.isFetching && <Loader size="sm" aria-label="Loading analytics" />}
      </Group>

      {summary.isError && (
        <Alert color="red" role="alert" title="Could not load analytics">
          {(summary.error as Error).message}
        </Alert>
      )}

      {s && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} aria-label="Totals" role="list">
            <Stat label="Views" value={String(s.totals.views)} />
            <Stat label="Unique devices" value={String(s.totals.uniqueDevices)} />
            <Stat label="Median watch time" value={formatWatch(s.totals.medianWatchMs)} />
            <Stat label="Average watch time" value={formatWatch(s.totals.averageWatchMs)} />
            <Stat label="Watched to the end" value={formatRate(s.totals.completionRate)} />
          </SimpleGrid>
          {s.totals.views === 0 && (
            <Text c="dimmed" size="sm">
              No views in this period yet. Views appear here once people scan the marker.
            </Text>
          )}
          {s.platforms.length > 0 && <DevicesTable platforms={s.platforms} total={s.totals.views} />}
          <Card withBorder>
            <Stack gap="xl">
              <BarChart
                title="Views"
                valueLabel="Views"
                bars={s.series.map((p) => ({ label: label(p.start), value: p.views }))}
              />
              <BarChart
                title="Unique devices"
                valueLabel="Devices"
                color="teal"
                bars={s.series.map((p) => ({ label: label(p.start), value: p.uniqueDevices }))}
              />
              <BarChart
                title="Median watch time"
                valueLabel="Median watch time"
                color="orange"
                format={formatWatch}
                bars={s.series.map((p) => ({ label: label(p.start), value: p.medianWatchMs ?? 0 }))}
              />
            </Stack>
          </Card>
          <Text size="xs" c="dimmed">
            Periods follow {s.timezone}. Watch time and completion count only sessions the app ended; closed or
            abandoned ones count as views.
          </Text>
        </>
      )}
    </Stack>
  );
}

const PLATFORM_NAMES: Record<string, string> = {
  ios: 'iPhone and iPad',
  android: 'Android',
  web: 'Web browser',
  other: 'Other',
};

type PlatformRow = {
  platform: string;
  views: number;
  uniqueDevices: number;
  medianWatchMs: number | null;
  completionRate: number | null;
};

/** Views by device platform over the whole period, with each one's share of the views. */
function DevicesTable({ platforms, total }: { platforms: readonly PlatformRow[]; total: number }) {
  return (
    <Card withBorder>
      <Table aria-label="Devices" verticalSpacing="xs">
        <Table.Caption
          style={{ captionSide: 'top', textAlign: 'left', fontWeight: 600, color: 'inherit', marginBottom: 8 }}
        >
          Devices
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Platform</Table.Th>
            <Table.Th scope="col">Views</Table.Th>
            <Table.Th scope="col">Share</Table.Th>
            <Table.Th scope="col">Unique devices</Table.Th>
            <Table.Th scope="col">Median watch time</Table.Th>
            <Table.Th scope="col">Watched to the end</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {platforms.map((p) => {
            const share = total > 0 ? Math.round((p.views / total) * 100) : 0;
            return (
              <Table.Tr key={p.platform} data-platform={p.platform}>
                <Table.Th scope="row" fw={500}>
                  {PLATFORM_NAMES[p.platform] ?? p.platform}
                </Table.Th>
                <Table.Td>{p.views}</Table.Td>
                <Table.Td w={180}>
                  <Group gap="xs" wrap="nowrap">
                    <Progress value={share} w={100} aria-hidden="true" />
                    <Text size="sm">{share}%</Text>
                  </Group>
                </Table.Td>
                <Table.Td>{p.uniqueDevices}</Table.Td>
                <Table.Td>{formatWatch(p.medianWatchMs)}</Table.Td>
                <Table.Td>{formatRate(p.completionRate)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card withBorder padding="sm" role="listitem" data-stat={label}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
    </Card>
  );
}
