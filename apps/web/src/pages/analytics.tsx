// Views, unique devices and watch time of a project or one of its AR content items, per period, in the company's time zone.
import { Alert, Card, Group, Loader, Progress, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'wouter';
import { api, errorMessage } from '../api.ts';
import { formatRate, formatWatch, periodLabel, RANGES, rangeOf, type RangeKey } from '../analytics/periods.ts';
import { FunnelCard } from '../analytics/funnel.tsx';
import { BarChart } from '../components/bar-chart.tsx';
import { useCompany } from '../components/use-company.ts';
import { ProjectCrumbs } from '../components/project-crumbs.tsx';
import { useFormat } from '../i18n/dashboard.ts';

const ALL = '';

export function AnalyticsPage() {
  const { projectId = '' } = useParams<{ projectId: string }>();
  const { companyId } = useCompany();
  const { t } = useTranslation();
  const f = useFormat();
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
  const funnel = useQuery({
    queryKey: ['analytics-funnel', projectId, item, rangeKey, range.from.getTime()],
    queryFn: () =>
      api.analytics.funnel.query({
        projectId,
        ...(item ? { arContentId: item } : {}),
        from: range.from,
        to: range.to,
      }),
    placeholderData: keepPreviousData,
  });
  const s = summary.data;
  const label = (start: Date) => periodLabel(start, range.granularity, s?.timezone ?? 'UTC');

  return (
    <Stack gap="lg">
      <ProjectCrumbs
        companyId={companyId}
        project={{ id: projectId, name: project.data?.name }}
        current={t('analytics.title')}
      />
      <Title order={1}>{t('analytics.title')}</Title>

      <Group align="flex-end">
        <Select
          label={t('analytics.arContent')}
          w={300}
          allowDeselect={false}
          value={item}
          data={[
            { value: ALL, label: t('analytics.all') },
            ...(items.data?.items ?? []).map((c) => ({ value: c.id, label: c.title })),
          ]}
          onChange={(v) => setSearch(v ? { item: v } : {}, { replace: true })}
        />
        <Select
          label={t('analytics.period')}
          w={200}
          allowDeselect={false}
          value={rangeKey}
          data={Object.keys(RANGES).map((value) => ({ value, label: t(`analytics.ranges.${value}`) }))}
          onChange={(v) => v && setRangeKey(v as RangeKey)}
        />
        {summary.isFetching && <Loader size="sm" aria-label={t('analytics.loading')} />}
      </Group>

      {summary.isError && (
        <Alert color="red" role="alert" title={t('analytics.couldNotLoad')}>
          {errorMessage(summary.error)}
        </Alert>
      )}

      {s && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} aria-label={t('analytics.totals')} role="list">
            <Stat name="views" label={t('analytics.views')} value={f.number(s.totals.views)} />
            <Stat name="unique-devices" label={t('analytics.uniqueDevices')} value={f.number(s.totals.uniqueDevices)} />
            <Stat name="median-watch" label={t('analytics.medianWatch')} value={formatWatch(s.totals.medianWatchMs)} />
            <Stat
              name="average-watch"
              label={t('analytics.averageWatch')}
              value={formatWatch(s.totals.averageWatchMs)}
            />
            <Stat name="completion" label={t('analytics.completion')} value={formatRate(s.totals.completionRate)} />
          </SimpleGrid>
          {s.totals.views === 0 && (
            <Text c="dimmed" size="sm">
              {t('analytics.noViews')}
            </Text>
          )}
          {funnel.data && <FunnelCard funnel={funnel.data} />}
          {s.platforms.length > 0 && <DevicesTable platforms={s.platforms} total={s.totals.views} />}
          <Card withBorder>
            <Stack gap="xl">
              <BarChart
                title={t('analytics.views')}
                valueLabel={t('analytics.views')}
                format={f.number}
                bars={s.series.map((p) => ({ label: label(p.start), value: p.views }))}
              />
              <BarChart
                title={t('analytics.uniqueDevices')}
                valueLabel={t('analytics.devices')}
                format={f.number}
                color="teal"
                bars={s.series.map((p) => ({ label: label(p.start), value: p.uniqueDevices }))}
              />
              <BarChart
                title={t('analytics.medianWatch')}
                valueLabel={t('analytics.medianWatch')}
                color="orange"
                format={formatWatch}
                bars={s.series.map((p) => ({ label: label(p.start), value: p.medianWatchMs ?? 0 }))}
              />
            </Stack>
          </Card>
          <Text size="xs" c="dimmed">
            {t('analytics.footnote', { timezone: s.timezone })}
          </Text>
        </>
      )}
    </Stack>
  );
}

type PlatformRow = {
  platform: string;
  views: number;
  uniqueDevices: number;
  medianWatchMs: number | null;
  completionRate: number | null;
};

/** Views by device platform over the whole period, with each one's share of the views. */
function DevicesTable({ platforms, total }: { platforms: readonly PlatformRow[]; total: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <Card withBorder>
      <Table aria-label={t('analytics.devices')} verticalSpacing="xs">
        <Table.Caption
          style={{ captionSide: 'top', textAlign: 'left', fontWeight: 600, color: 'inherit', marginBottom: 8 }}
        >
          {t('analytics.devices')}
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('analytics.platform')}</Table.Th>
            <Table.Th scope="col">{t('analytics.views')}</Table.Th>
            <Table.Th scope="col">{t('analytics.share')}</Table.Th>
            <Table.Th scope="col">{t('analytics.uniqueDevices')}</Table.Th>
            <Table.Th scope="col">{t('analytics.medianWatch')}</Table.Th>
            <Table.Th scope="col">{t('analytics.completion')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {platforms.map((p) => {
            const share = total > 0 ? Math.round((p.views / total) * 100) : 0;
            return (
              <Table.Tr key={p.platform} data-platform={p.platform}>
                <Table.Th scope="row" fw={500}>
                  {t(`analytics.platforms.${p.platform}`, { defaultValue: p.platform })}
                </Table.Th>
                <Table.Td>{f.number(p.views)}</Table.Td>
                <Table.Td w={180}>
                  <Group gap="xs" wrap="nowrap">
                    <Progress value={share} w={100} aria-hidden="true" />
                    <Text size="sm">{f.percent(share / 100)}</Text>
                  </Group>
                </Table.Td>
                <Table.Td>{f.number(p.uniqueDevices)}</Table.Td>
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

function Stat({ name, label, value }: { name: string; label: string; value: string }) {
  return (
    <Card withBorder padding="sm" role="listitem" data-stat={name}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
    </Card>
  );
}
