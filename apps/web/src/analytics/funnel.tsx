// The view funnel of a project or one AR item: how many views opened the link, allowed the camera (or got the plain
// player, and why), found the photo, played and finished; the share that never found the photo, and the median time
// from opening the link to the first frame (analytics.funnel).
import { Card, Group, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { RouterOutputs } from '@arvlite/client';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../i18n/dashboard.ts';

export type Funnel = RouterOutputs['analytics']['funnel'];

const STAGES = ['opened', 'camera', 'detected', 'playing', 'completed'] as const;

export function FunnelCard({ funnel }: { funnel: Funnel }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { counts } = funnel;
  const seconds = (ms: number | null) =>
    ms === null ? '—' : t('analytics.funnel.seconds', { value: f.fixed(ms / 1000, 1) });
  return (
    <Card withBorder data-testid="view-funnel">
      <Stack gap="md">
        <Title order={2} size="h4">
          {t('analytics.funnel.title')}
        </Title>
        {counts.opened === 0 ? (
          <Text c="dimmed" size="sm">
            {t('analytics.funnel.empty')}
          </Text>
        ) : (
          <>
            {funnel.neverDetected.share !== null && (
              <Text fw={600} data-testid="never-detected">
                {t('analytics.funnel.neverDetected', { percent: f.percent(funnel.neverDetected.share) })}
              </Text>
            )}
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Text size="sm" data-stat="median-first-frame">
                {t('analytics.funnel.medianFirstFrame', { value: seconds(funnel.medianFirstFrameMs) })}
              </Text>
              <Text size="sm" data-stat="median-detected">
                {t('analytics.funnel.medianDetected', { value: seconds(funnel.medianDetectedMs) })}
              </Text>
            </SimpleGrid>
            <Table aria-label={t('analytics.funnel.table')} verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('analytics.funnel.stage')}</Table.Th>
                  <Table.Th scope="col">{t('analytics.views')}</Table.Th>
                  <Table.Th scope="col">{t('analytics.funnel.ofOpened')}</Table.Th>
                  <Table.Th scope="col">{t('analytics.funnel.fromPrevious')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {STAGES.map((stage) => {
                  const share = counts[stage] / counts.opened;
                  const conversion = stage === 'opened' ? null : funnel.conversion[stage];
                  return (
                    <Table.Tr key={stage} data-stage={stage}>
                      <Table.Th scope="row" fw={500}>
                        {t(`analytics.funnel.stages.${stage}`)}
                      </Table.Th>
                      <Table.Td>{f.number(counts[stage])}</Table.Td>
                      <Table.Td w={200}>
                        <Group gap="xs" wrap="nowrap">
                          <Progress value={share * 100} w={110} aria-hidden="true" />
                          <Text size="sm">{f.percent(share)}</Text>
                        </Group>
                      </Table.Td>
                      <Table.Td>{stage === 'opened' ? '' : f.percent(conversion)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
            {funnel.fallbackReasons.length > 0 && (
              <Stack gap={4}>
                <Text size="sm" fw={600}>
                  {t('analytics.funnel.fallback', { views: f.number(counts.fallback) })}
                </Text>
                {funnel.fallbackReasons.map((r) => (
                  <Text size="sm" key={r.reason} data-reason={r.reason}>
                    {t('analytics.funnel.reason', {
                      reason: t(`analytics.funnel.reasons.${r.reason}`),
                      views: f.number(r.count),
                    })}
                  </Text>
                ))}
              </Stack>
            )}
          </>
        )}
        <Text size="xs" c="dimmed">
          {t('analytics.funnel.footnote')}
        </Text>
      </Stack>
    </Card>
  );
}
