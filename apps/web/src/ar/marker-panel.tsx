// The marker of an AR content item: upload (drop or choose), compile progress, its figures, the measured detection
// report (marker-report.tsx, with the calibrated score), the feature points drawn over the image, and why a marker was refused.
import { MARKER_EXTENSIONS, MARKER_MAX_BYTES } from '@arvlite/client';
import { Alert, Badge, Card, Group, List, Progress, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { i18n, t as translate, useFormat } from '../i18n/dashboard.ts';
import type { ArContentDetail } from './ar-status.tsx';
import { keypointRadius, placeKeypoints, type Keypoint } from './keypoints.ts';
import { AwaitingConfirmation, DetectionReport } from './marker-report.tsx';
import { checkMarkerFile, uploadMarker } from './marker-upload.ts';

type Marker = ArContentDetail['marker'];

export function failureTitle(code: string): string {
  return i18n.exists(`marker.failure.${code}`)
    ? translate(`marker.failure.${code}`)
    : translate('marker.failure.other', { code });
}

/** What to do about a refused marker; the server's message is not shown (it is English and for operators' logs). */
function failureText(code: string): string {
  return i18n.exists(`marker.failureText.${code}`) ? translate(`marker.failureText.${code}`) : '';
}

/** The scorer's advice (packages/marker ADVICE), known by its opening words; anything newer is shown as sent. */
const ADVICE_KEYS: [string, string][] = [
  ['No detail found', 'noFeatures'],
  ['Low texture', 'lowTexture'],
  ['Features are concentrated', 'concentrated'],
  ['Low contrast', 'lowContrast'],
];
function adviceText(advice: string): string {
  const key = ADVICE_KEYS.find(([start]) => advice.startsWith(start))?.[1];
  return key ? translate(`marker.adviceText.${key}`) : advice;
}

export function MarkerPanel({ content, canEdit }: { content: ArContentDetail; canEdit: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { marker } = content;
  const processing = content.status === 'MARKER_PROCESSING';
  const [percent, setPercent] = useState<number | null>(null);
  const [rejected, setRejected] = useState<string | null>(null);
  // The chosen file, shown until the compiled image arrives (and under a refused marker's points).
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  const upload = useMutation({
    mutationFn: (file: File) => uploadMarker(api, content.id, file, setPercent),
    onMutate: () => setPercent(0),
    onSuccess: (view) => {
      qc.setQueryData<ArContentDetail>(['ar-content', content.id], (old) =>
        old ? { ...old, ...view, marker: { ...old.marker, ...view.marker } } : old,
      );
      void qc.invalidateQueries({ queryKey: ['ar-content', content.id] });
      void qc.invalidateQueries({ queryKey: ['ar-contents', content.projectId] });
      notifySuccess(t('marker.uploaded'));
    },
    onError: (err) => {
      void qc.invalidateQueries({ queryKey: ['ar-content', content.id] });
      notifyError(err, t('marker.couldNotUpload'), { NO_UPLOAD: 'errors.reason.NO_UPLOAD' });
    },
    onSettled: () => setPercent(null),
  });

  const onFile = (file: File | undefined) => {
    if (!file) return;
    const problem = checkMarkerFile(file);
    setRejected(problem);
    if (problem) return;
    setPreview(URL.createObjectURL(file));
    upload.mutate(file);
  };

  const busy = upload.isPending || processing;
  const archived = content.status === 'ARCHIVED';
  const published = useStableUrl(marker.imageUrl);
  // The new photo while it uploads and compiles; afterwards the published marker, or the refused photo if none is.
  const imageUrl = busy && preview ? preview : (published ?? preview);
  const hasScore = typeof marker.score === 'number';

  return (
    <Card withBorder>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h5" id="marker-heading">
          {t('marker.heading')}
        </Title>
        {marker.awaitingConfirmation && !marker.published ? (
          <Badge variant="light" color="orange">
            {t('markerReport.awaitingBadge')}
          </Badge>
        ) : marker.published ? (
          <Badge variant="light" color="teal">
            {t('marker.published')}
          </Badge>
        ) : (
          <Badge variant="light" color="gray">
            {t('marker.notPublished')}
          </Badge>
        )}
      </Group>
      <Stack gap="md">
        {canEdit && !archived && (
          <Dropzone
            onDrop={(files) => onFile(files[0])}
            onReject={(r) =>
              setRejected(
                r[0]?.errors[0]?.code === 'file-too-large'
                  ? t('marker.errors.tooLarge', { mib: MARKER_MAX_BYTES / 1024 / 1024 })
                  : t('marker.errors.type'),
              )
            }
            accept={MARKER_EXTENSIONS as unknown as Record<string, string[]>}
            maxSize={MARKER_MAX_BYTES}
            multiple={false}
            disabled={busy}
            loading={upload.isPending}
            aria-label={t('marker.dropzone')}
            inputProps={{ 'aria-label': t('marker.input') }}
          >
            <Stack align="center" gap={2} py="md" style={{ pointerEvents: 'none' }}>
              <Text fw={500}>{marker.published || marker.failure ? t('marker.dropNew') : t('marker.drop')}</Text>
              <Text size="sm" c="dimmed">
                {t('marker.hint')}
              </Text>
            </Stack>
          </Dropzone>
        )}

        <div aria-live="polite">
          {rejected && (
            <Alert color="red" role="alert" title={t('marker.rejected')}>
              {rejected}
            </Alert>
          )}
          {percent !== null && (
            <Stack gap={4}>
              <Text size="sm">
                {percent < 100 ? t('marker.uploading', { percent: `${percent}%` }) : t('marker.checking')}
              </Text>
              <Progress
                value={percent}
                animated
                aria-label={t('marker.uploadProgress')}
                aria-valuetext={`${percent}%`}
              />
            </Stack>
          )}
          {processing && <CompileProgress since={content.updatedAt} />}
          {!processing && marker.failure && (
            <Alert
              color="red"
              role="alert"
              title={failureTitle(marker.failure.code)}
              data-failure={marker.failure.code}
            >
              {[failureText(marker.failure.code), marker.published ? t('marker.keptPrevious') : '']
                .filter(Boolean)
                .join(' ')}
            </Alert>
          )}
          {upload.isError && !marker.failure && (
            <Alert color="red" role="alert" title={t('marker.uploadFailed')}>
              {errorMessage(upload.error, { NO_UPLOAD: 'errors.reason.NO_UPLOAD' })}
            </Alert>
          )}
        </div>

        {!processing && marker.awaitingConfirmation && (
          <AwaitingConfirmation content={content} awaiting={marker.awaitingConfirmation} canEdit={canEdit} />
        )}

        {marker.published && !processing && <DetectionReport view={marker.report} imageUrl={published} />}

        {hasScore && !processing && <MarkerFigures marker={marker} />}

        {imageUrl && <MarkerImage src={imageUrl} marker={marker} showPoints={!processing && hasScore} />}
      </Stack>
    </Card>
  );
}

/** Presigned URLs change with every read; keep the first one for the same object so the image does not reload each poll. */
function useStableUrl(url: string | null): string | null {
  const [kept, setKept] = useState(url);
  const path = (u: string | null) => u?.split('?')[0] ?? null;
  if (path(kept) !== path(url)) {
    setKept(url);
    return url;
  }
  return kept;
}

/** The compile has no progress of its own: show the time it has taken against the few seconds it usually takes. */
function CompileProgress({ since }: { since: Date }) {
  const { t } = useTranslation();
  const start = new Date(since).getTime();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  const seconds = Math.max(0, Math.round((now - start) / 1000));
  // Eases towards 95% over about ten seconds, so the bar keeps moving without claiming to be done.
  const value = Math.round(95 * (1 - Math.exp(-seconds / 6)));
  return (
    <Stack gap={4} data-marker-processing>
      <Text size="sm">{t('marker.compiling', { seconds })}</Text>
      <Progress
        value={value}
        animated
        color="yellow"
        aria-label={t('marker.compileProgress')}
        aria-valuetext={t('marker.compileSoFar', { count: seconds })}
      />
      <Text size="xs" c="dimmed">
        {t('marker.usually')}
      </Text>
    </Stack>
  );
}

/**
 * The compiled marker's figures. Its score is the measured one, shown with the detection report: the ORB feature score
 * (`marker.score`, kept in the API) does not predict detection, so it is not shown. The feature scorer's hints stay
 * until the report has its own advice.
 */
function MarkerFigures({ marker }: { marker: Marker }) {
  const { t } = useTranslation();
  const f = useFormat();
  const measured = marker.report?.status === 'READY';
  return (
    <Group align="flex-start" gap="lg" wrap="wrap">
      <Stack gap="xs" style={{ flex: 1, minWidth: 220 }}>
        {!measured && marker.advice.length > 0 && (
          <List size="sm" spacing={2} aria-label={t('marker.advice')}>
            {marker.advice.map((a) => (
              <List.Item key={a}>{adviceText(a)}</List.Item>
            ))}
          </List>
        )}
        <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs" verticalSpacing={4}>
          <Figure label={t('marker.featurePoints')} value={marker.featureCount} />
          <Figure label={t('marker.matchingPoints')} value={marker.matchingPoints} />
          <Figure label={t('marker.trackingPoints')} value={marker.trackingPoints} />
          <Figure
            label={t('marker.image')}
            value={
              marker.width && marker.height
                ? t('marker.imageSize', { width: marker.width, height: marker.height })
                : null
            }
          />
          <Figure
            label={t('marker.printedWidth')}
            value={marker.widthMm ? t('marker.widthValue', { mm: f.number(marker.widthMm) }) : null}
          />
          <Figure
            label={t('marker.compileTime')}
            value={
              marker.compileMs !== null ? t('marker.seconds', { value: f.fixed(marker.compileMs / 1000, 1) }) : null
            }
          />
        </SimpleGrid>
      </Stack>
    </Group>
  );
}

function Figure({ label, value }: { label: string; value: number | string | null }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{value ?? '—'}</Text>
    </div>
  );
}

function MarkerImage({ src, marker, showPoints }: { src: string; marker: Marker; showPoints: boolean }) {
  const { t } = useTranslation();
  const [natural, setNatural] = useState<{ width: number; height: number } | null>(null);
  const [visible, setVisible] = useState(true);
  const keypoints = ((marker as { keypoints?: Keypoint[] }).keypoints ?? []) as Keypoint[];
  // The image's own pixel size is the overlay's coordinate space; the server's numbers serve until it loads.
  const width = natural?.width ?? marker.width ?? 0;
  const height = natural?.height ?? marker.height ?? 0;
  const canShow = showPoints && keypoints.length > 0 && width > 0;
  return (
    <Stack gap="xs">
      {canShow && (
        <Switch
          size="sm"
          label={t('marker.showPoints', { count: keypoints.length })}
          checked={visible}
          onChange={(e) => setVisible(e.currentTarget.checked)}
        />
      )}
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
          src={src}
          alt={t('marker.imageAlt')}
          onLoad={(e) => setNatural({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })}
          style={{ display: 'block', maxWidth: '100%', maxHeight: 420, height: 'auto', borderRadius: 8 }}
        />
        {canShow && visible && <KeypointOverlay keypoints={keypoints} width={width} height={height} />}
      </div>
    </Stack>
  );
}

/** An SVG over the image whose viewBox is the image's pixel size, so the points scale with however it is displayed. */
export function KeypointOverlay({
  keypoints,
  width,
  height,
}: {
  keypoints: readonly Keypoint[];
  width: number;
  height: number;
}) {
  const points = placeKeypoints(keypoints, width, height);
  const r = keypointRadius(width, height);
  return (
    <svg
      data-keypoints={points.length}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      aria-hidden="true"
      style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', pointerEvents: 'none' }}
    >
      {points.map((p, i) => (
        <circle
          key={i}
          cx={p.cx}
          cy={p.cy}
          r={r}
          fill="rgba(250, 204, 21, 0.85)"
          stroke="rgba(0, 0, 0, 0.7)"
          strokeWidth={r / 3}
        />
      ))}
    </svg>
  );
}
