// The marker of an AR content item: upload (drop or choose), compile progress, the trackability score as a gauge
// with its advice, the feature points drawn over the image, and why a marker was refused.
import { MARKER_EXTENSIONS, MARKER_MAX_BYTES } from '@arvlite/client';
import {
  Alert,
  Badge,
  Card,
  Group,
  List,
  Progress,
  RingProgress,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Title,
} from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { RATING, type ArContentDetail } from './ar-status.tsx';
import { keypointRadius, placeKeypoints, type Keypoint } from './keypoints.ts';
import { checkMarkerFile, uploadMarker } from './marker-upload.ts';

type Marker = ArContentDetail['marker'];

const FAILURE_TITLE: Record<string, string> = {
  NO_FEATURES: 'No features found: this image cannot be tracked',
  IMAGE_TOO_SMALL: 'The image is too small',
  UNSUPPORTED_IMAGE: 'This file is not a usable image',
  COMPILE_FAILED: 'The marker could not be compiled',
  UPLOAD_SIZE_MISMATCH: 'The upload was incomplete',
  UPLOAD_MISSING: 'The upload is gone',
  UPLOAD_TOO_LARGE: 'The image is too large',
  MARKER_FAILED: 'The marker could not be processed',
};

export function failureTitle(code: string): string {
  return FAILURE_TITLE[code] ?? `Marker refused (${code})`;
}

export function MarkerPanel({ content, canEdit }: { content: ArContentDetail; canEdit: boolean }) {
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
      notifySuccess('Marker uploaded; compiling it now');
    },
    onError: (err) => {
      void qc.invalidateQueries({ queryKey: ['ar-content', content.id] });
      notifyError(err, 'Could not upload the marker');
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
          Marker image
        </Title>
        {marker.published ? (
          <Badge variant="light" color="teal">
            Published
          </Badge>
        ) : (
          <Badge variant="light" color="gray">
            Not published
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
                  ? `The image must be at most ${MARKER_MAX_BYTES / 1024 / 1024} MiB.`
                  : 'Choose a JPEG, PNG or WebP image.',
              )
            }
            accept={MARKER_EXTENSIONS as unknown as Record<string, string[]>}
            maxSize={MARKER_MAX_BYTES}
            multiple={false}
            disabled={busy}
            loading={upload.isPending}
            aria-label="Marker image: drop a photo here, or press Enter to choose one"
            inputProps={{ 'aria-label': 'Marker image to upload' }}
          >
            <Stack align="center" gap={2} py="md" style={{ pointerEvents: 'none' }}>
              <Text fw={500}>
                {marker.published || marker.failure
                  ? 'Drop a new marker image, or click to choose'
                  : 'Drop the marker image here, or click to choose'}
              </Text>
              <Text size="sm" c="dimmed">
                The printed photo viewers point their phone at. JPEG, PNG or WebP, at least 480 px on the short side, up
                to 20 MiB.
              </Text>
            </Stack>
          </Dropzone>
        )}

        <div aria-live="polite">
          {rejected && (
            <Alert color="red" role="alert" title="This file cannot be a marker">
              {rejected}
            </Alert>
          )}
          {percent !== null && (
            <Stack gap={4}>
              <Text size="sm">{percent < 100 ? `Uploading the marker… ${percent}%` : 'Checking the upload…'}</Text>
              <Progress value={percent} animated aria-label="Marker upload progress" aria-valuetext={`${percent}%`} />
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
              {marker.failure.message}
              {marker.published ? ' The previous marker stays in use.' : ''}
            </Alert>
          )}
          {upload.isError && !marker.failure && (
            <Alert color="red" role="alert" title="Upload failed">
              {errorMessage(upload.error)}
            </Alert>
          )}
        </div>

        {hasScore && !processing && <ScoreSummary marker={marker} />}

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
      <Text size="sm">Compiling the marker: finding features and building the tracking data… {seconds} s</Text>
      <Progress
        value={value}
        animated
        color="yellow"
        aria-label="Marker compile progress"
        aria-valuetext={`Compiling, ${seconds} seconds so far`}
      />
      <Text size="xs" c="dimmed">
        This usually takes 5–15 seconds.
      </Text>
    </Stack>
  );
}

export function ScoreGauge({ score, rating }: { score: number; rating: string | null }) {
  const r = RATING[rating ?? ''] ?? { label: rating ?? 'Unrated', color: 'gray' };
  return (
    <div
      role="meter"
      aria-label="Trackability score"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={score}
      aria-valuetext={`${score} of 100, ${r.label}`}
      data-score={score}
    >
      <RingProgress
        size={132}
        thickness={12}
        roundCaps
        sections={[{ value: Math.max(0, Math.min(100, score)), color: r.color }]}
        label={
          <Stack gap={0} align="center" aria-hidden="true">
            <Text fw={700} size="xl" lh={1}>
              {score}
            </Text>
            <Text size="xs" c="dimmed">
              of 100
            </Text>
          </Stack>
        }
      />
    </div>
  );
}

function ScoreSummary({ marker }: { marker: Marker }) {
  const r = RATING[marker.rating ?? ''] ?? { label: marker.rating ?? '—', color: 'gray' };
  return (
    <Group align="flex-start" gap="lg" wrap="wrap">
      <ScoreGauge score={marker.score ?? 0} rating={marker.rating} />
      <Stack gap="xs" style={{ flex: 1, minWidth: 220 }}>
        <Group gap="xs">
          <Text fw={600}>Trackability:</Text>
          <Badge size="lg" color={r.color} variant="light" data-rating={marker.rating}>
            {r.label}
          </Badge>
        </Group>
        {marker.advice.length > 0 ? (
          <List size="sm" spacing={2} aria-label="Advice">
            {marker.advice.map((a) => (
              <List.Item key={a}>{a}</List.Item>
            ))}
          </List>
        ) : (
          <Text size="sm" c="dimmed">
            Plenty of detail across the image: it should track well.
          </Text>
        )}
        <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs" verticalSpacing={4}>
          <Figure label="Feature points" value={marker.featureCount} />
          <Figure label="Matching points" value={marker.matchingPoints} />
          <Figure label="Tracking points" value={marker.trackingPoints} />
          <Figure label="Image" value={marker.width && marker.height ? `${marker.width}×${marker.height} px` : null} />
          <Figure label="Printed width" value={marker.widthMm ? `${marker.widthMm} mm` : null} />
          <Figure
            label="Compile time"
            value={marker.compileMs !== null ? `${(marker.compileMs / 1000).toFixed(1)} s` : null}
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
          label={`Show feature points (${keypoints.length} strongest)`}
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
          alt="Marker image"
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
