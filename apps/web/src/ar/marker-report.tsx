// The marker's measured detection (marker:report): from how far and at what tilt it is detected at its printed size,
// where its features are (a heatmap over the image, weak regions marked) and what to do about it; and, for a marker
// the gate held back, "Publish anyway".
import { MARKER_REGIONS, markerDetectionScore, type MarkerDetectionReport, type MarkerRegion } from '@arvlite/client';
import { Alert, Badge, Button, Group, List, Loader, RingProgress, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { ConfirmModal } from '../components/confirm-modal.tsx';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useFormat } from '../i18n/dashboard.ts';
import { detectionColor, type ArContentDetail } from './ar-status.tsx';

type Marker = ArContentDetail['marker'];
export type ReportView = {
  revision: number;
  status: 'READY' | 'MEASURING' | 'UNAVAILABLE';
  report: MarkerDetectionReport | null;
};
export type Awaiting = NonNullable<Marker['awaitingConfirmation']>;

/** True while a report of the item's marker (published or awaiting) is still being measured: the page keeps polling. */
export function measuringReport(marker: Marker | undefined): boolean {
  const reports = [marker?.report, marker?.awaitingConfirmation?.report];
  return reports.some((r) => r?.status === 'MEASURING');
}

/**
 * The measured detection score (markerDetectionScore: calibrated on the report, unlike the ORB feature score, which
 * the API keeps for compatibility but does not predict detection) as a gauge.
 */
export function DetectionGauge({ score }: { score: number }) {
  const { t } = useTranslation();
  return (
    <div
      role="meter"
      aria-label={t('markerReport.score')}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={score}
      aria-valuetext={t('markerReport.scoreText', { score })}
      data-detection-score={score}
    >
      <RingProgress
        size={112}
        thickness={10}
        roundCaps
        sections={[{ value: Math.max(0, Math.min(100, score)), color: detectionColor(score) }]}
        label={
          <Stack gap={0} align="center" aria-hidden="true">
            <Text fw={700} size="xl" lh={1}>
              {score}
            </Text>
            <Text size="xs" c="dimmed">
              {t('markerReport.of100')}
            </Text>
          </Stack>
        }
      />
    </div>
  );
}

/** "Detected from X cm to Y cm at its printed size (W mm), up to Z° tilt", or that it is not detected at all. */
function RangeSentence({ report }: { report: MarkerDetectionReport }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { minCm, maxCm, maxTiltDeg } = report.range;
  const width = f.number(report.widthMm);
  if (minCm === null || maxCm === null) {
    return (
      <Text fw={600} data-range="none">
        {t('markerReport.notDetected', { width })}
      </Text>
    );
  }
  return (
    <Text fw={600} data-range={`${minCm}-${maxCm}`}>
      {maxTiltDeg !== null && maxTiltDeg > 0
        ? t('markerReport.range', { min: f.number(minCm), max: f.number(maxCm), width, tilt: f.number(maxTiltDeg) })
        : t('markerReport.rangeHeadOn', { min: f.number(minCm), max: f.number(maxCm), width })}
    </Text>
  );
}

function adviceSentence(
  t: TFunction,
  f: ReturnType<typeof useFormat>,
  report: MarkerDetectionReport,
  advice: MarkerDetectionReport['advice'][number],
): string {
  const widthCm = f.number(Math.round(report.widthMm) / 10);
  switch (advice.code) {
    case 'PRINT_LARGER':
      return report.range.maxCm === null
        ? t('markerReport.advice.PRINT_LARGER_never', { width: widthCm })
        : t('markerReport.advice.PRINT_LARGER', { width: widthCm, max: f.number(report.range.maxCm) });
    case 'ADD_TEXTURE':
      return advice.region
        ? t('markerReport.advice.ADD_TEXTURE', { region: t(`markerReport.region.${advice.region}`) })
        : t('markerReport.advice.ADD_TEXTURE_any');
    default:
      return t(`markerReport.advice.${advice.code}`);
  }
}

/** The measured report of one revision: measuring, missing, or its range, heatmap and advice. */
export function DetectionReport({ view, imageUrl }: { view: ReportView | null | undefined; imageUrl: string | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (!view) return null;
  if (view.status === 'MEASURING') {
    return (
      <Group gap="xs" data-report-measuring>
        <Loader size="xs" />
        <Text size="sm">{t('markerReport.measuring')}</Text>
      </Group>
    );
  }
  if (view.status === 'UNAVAILABLE' || !view.report) {
    return (
      <Text size="sm" c="dimmed" data-report-unavailable>
        {t('markerReport.unavailable')}
      </Text>
    );
  }
  const report = view.report;
  return (
    <Stack gap="xs" data-report={view.revision}>
      <Group align="center" gap="md" wrap="nowrap">
        <DetectionGauge score={markerDetectionScore(report)} />
        <Stack gap={4}>
          <Title order={3} size="h6">
            {t('markerReport.heading')}
          </Title>
          <RangeSentence report={report} />
        </Stack>
      </Group>
      {report.advice.length > 0 && (
        <List size="sm" spacing={2} aria-label={t('markerReport.adviceLabel')} data-report-advice>
          {report.advice.map((a) => (
            <List.Item key={`${a.code}-${a.region ?? ''}`} data-advice={a.code}>
              {adviceSentence(t, f, report, a)}
            </List.Item>
          ))}
        </List>
      )}
      {imageUrl && <Heatmap report={report} imageUrl={imageUrl} />}
      <Text size="xs" c="dimmed">
        {t('markerReport.camera', {
          width: report.camera.widthPx,
          height: report.camera.heightPx,
          fov: f.number(report.camera.horizontalFovDeg),
          percent: f.number(Math.round(report.threshold * 100)),
        })}
      </Text>
    </Stack>
  );
}

/** Feature density cell by cell over the image, and the weak 3×3 regions outlined. */
function Heatmap({ report, imageUrl }: { report: MarkerDetectionReport; imageUrl: string }) {
  const { t } = useTranslation();
  const [visible, setVisible] = useState(true);
  const { cols, rows, cells } = report.heatmap;
  const weak = new Set<MarkerRegion>(report.weakRegions);
  return (
    <Stack gap={4}>
      <Switch
        size="sm"
        label={t('markerReport.showHeatmap')}
        checked={visible}
        onChange={(e) => setVisible(e.currentTarget.checked)}
      />
      <div
        style={{
          position: 'relative',
          display: 'inline-block',
          alignSelf: 'flex-start',
          maxWidth: '100%',
          lineHeight: 0,
        }}
      >
        <img
          src={imageUrl}
          alt={t('markerReport.heatmapAlt')}
          style={{ display: 'block', maxWidth: '100%', maxHeight: 360, height: 'auto', borderRadius: 8 }}
        />
        {visible && (
          <svg
            data-heatmap={`${cols}x${rows}`}
            viewBox={`0 0 ${cols * 3} ${rows * 3}`}
            preserveAspectRatio="none"
            aria-hidden="true"
            style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', pointerEvents: 'none' }}
          >
            {cells.map((density, i) => (
              <rect
                key={i}
                x={(i % cols) * 3}
                y={Math.floor(i / cols) * 3}
                width={3}
                height={3}
                fill={`rgba(${Math.round(255 * (1 - density))}, ${Math.round(200 * density)}, 60, 0.45)`}
              />
            ))}
            {MARKER_REGIONS.map((region, i) =>
              weak.has(region) ? (
                <rect
                  key={region}
                  data-weak-region={region}
                  x={(i % 3) * cols + 0.15}
                  y={Math.floor(i / 3) * rows + 0.15}
                  width={cols - 0.3}
                  height={rows - 0.3}
                  fill="none"
                  stroke="rgb(220, 38, 38)"
                  strokeWidth={0.3}
                  strokeDasharray="0.8 0.5"
                />
              ) : null,
            )}
          </svg>
        )}
      </div>
      {weak.size > 0 && (
        <Group gap={4}>
          <Text size="xs" c="dimmed">
            {t('markerReport.weakRegions')}
          </Text>
          {[...weak].map((r) => (
            <Badge key={r} size="xs" color="red" variant="light">
              {t(`markerReport.region.${r}`)}
            </Badge>
          ))}
        </Group>
      )}
    </Stack>
  );
}

/** A compiled marker the gate held back: why, its report, and (editors) "Publish anyway" behind a confirmation. */
export function AwaitingConfirmation({
  content,
  awaiting,
  canEdit,
}: {
  content: ArContentDetail;
  awaiting: Awaiting;
  canEdit: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const report = awaiting.report;
  const width = f.number(report?.report?.widthMm ?? content.marker.widthMm ?? 150);
  const percent = f.number(Math.round(awaiting.gate.headOn30cmRate * 100));
  const confirm = useMutation({
    mutationFn: () => api.arContent.confirmMarker.mutate({ id: content.id, revisionId: awaiting.revision }),
    onSuccess: (view) => {
      qc.setQueryData(['ar-content', content.id], view);
      void qc.invalidateQueries({ queryKey: ['ar-contents', content.projectId] });
      setOpen(false);
      notifySuccess(t('markerReport.published'));
    },
    onError: (err) => {
      setOpen(false);
      void qc.invalidateQueries({ queryKey: ['ar-content', content.id] });
      notifyError(err, t('markerReport.couldNotPublish'), {
        SUPERSEDED: 'markerReport.superseded',
        NOT_AWAITING: 'markerReport.notAwaiting',
      });
    },
  });
  return (
    <Stack gap="sm" data-awaiting-confirmation={awaiting.revision}>
      <Alert color="orange" title={t('markerReport.heldTitle')}>
        <Stack gap="xs">
          <Text size="sm">{t('markerReport.heldText', { width, percent })}</Text>
          {content.marker.published && <Text size="sm">{t('markerReport.heldKeeps')}</Text>}
          {canEdit && content.status !== 'ARCHIVED' && (
            <Group>
              <Button color="orange" variant="light" onClick={() => setOpen(true)}>
                {t('markerReport.publishAnyway')}
              </Button>
            </Group>
          )}
        </Stack>
      </Alert>
      {report?.status !== 'READY' && awaiting.imageUrl && (
        <img
          src={awaiting.imageUrl}
          alt={t('markerReport.heldImageAlt')}
          style={{ display: 'block', maxWidth: '100%', maxHeight: 240, height: 'auto', borderRadius: 8 }}
        />
      )}
      <DetectionReport view={report} imageUrl={awaiting.imageUrl} />
      <ConfirmModal
        opened={open}
        onClose={() => setOpen(false)}
        title={t('markerReport.confirmTitle')}
        confirmLabel={t('markerReport.publishAnyway')}
        pending={confirm.isPending}
        onConfirm={() => confirm.mutate()}
      >
        {t('markerReport.confirmText', { width, percent })}
      </ConfirmModal>
    </Stack>
  );
}
