// One video: its processing status step by step (live), the player once it plays, details, and actions.
import {
  Alert,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useLocation, useParams } from 'wouter';
import { api, errorCode } from '../api.ts';
import { formatBytes, formatDate } from '../components/format.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useCompany } from '../components/use-company.ts';
import { VideoPlayer } from '../components/video-player.tsx';
import { SETTLED, VideoStatusBadge } from '../components/video-status.tsx';
import {
  analysisSummary,
  formatClock,
  reprocessVideo,
  retryVideo,
  stepLabel,
  watchVideo,
  type PipelineStep,
  type VideoDetail,
} from '../pipeline.ts';
import { ProjectCrumbs } from '../components/project-crumbs.tsx';
import { ConfirmModal } from '../components/confirm-modal.tsx';

function useVideo(id: string) {
  const qc = useQueryClient();
  const [live, setLive] = useState<'connecting' | 'live' | 'polling'>('connecting');
  const query = useQuery({
    queryKey: ['video', id],
    queryFn: () => api.video.byId.query({ id }),
    // Polling only when live status is not available.
    refetchInterval: (q) => (live === 'polling' && q.state.data && !SETTLED.has(q.state.data.status) ? 3000 : false),
  });
  useEffect(() => {
    setLive('connecting');
    return watchVideo(
      id,
      (event) => {
        setLive('live');
        const old = qc.getQueryData<VideoDetail>(['video', id]);
        // Steps and progress arrive with the event; playback URLs, media and analysis need the full read.
        if (old)
          qc.setQueryData<VideoDetail>(['video', id], {
            ...old,
            ...event,
            id: old.id,
            status: event.status ?? old.status,
          });
        if (!old || old.status !== event.status || String(old.playableAt) !== String(event.playableAt)) {
          void qc.invalidateQueries({ queryKey: ['video', id] });
          void qc.invalidateQueries({ queryKey: ['videos', old?.projectId] });
        }
      },
      () => setLive('polling'),
    );
  }, [id, qc]);
  return { ...query, live };
}

export function VideoPage() {
  const { videoId = '' } = useParams<{ videoId: string }>();
  const { companyId, can } = useCompany();
  const [, navigate] = useLocation();
  const qc = useQueryClient();
  const video = useVideo(videoId);
  const v = video.data;
  const project = useQuery({
    queryKey: ['project', v?.projectId],
    queryFn: () => api.project.byId.query({ id: v!.projectId }),
    enabled: Boolean(v?.projectId),
  });
  const [deleting, setDeleting] = useState(false);

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['video', videoId] });
    if (v) void qc.invalidateQueries({ queryKey: ['videos', v.projectId] });
  };
  const retry = useMutation({
    mutationFn: () => retryVideo(videoId),
    onSuccess: () => (notifySuccess('Processing restarted'), refresh()),
    onError: (e) => notifyError(e, 'Could not retry'),
  });
  const reprocess = useMutation({
    mutationFn: () => reprocessVideo(videoId),
    onSuccess: () => (notifySuccess('Reprocessing started'), refresh()),
    onError: (e) => notifyError(e, 'Could not reprocess'),
  });
  const remove = useMutation({
    mutationFn: () => api.video.delete.mutate({ id: videoId }),
    onSuccess: () => {
      notifySuccess('Video deleted');
      if (v) void qc.invalidateQueries({ queryKey: ['videos', v.projectId] });
      navigate(v ? `/c/${companyId}/projects/${v.projectId}` : `/c/${companyId}/projects`);
    },
    onError: (e) => notifyError(e, 'Could not delete the video'),
  });

  if (video.isPending) return <Loader aria-label="Loading video" />;
  if (!v) {
    return (
      <Alert
        color="red"
        role="alert"
        title={errorCode(video.error) === 'NOT_FOUND' ? 'Video not found' : 'Could not load the video'}
      >
        {errorCode(video.error) === 'NOT_FOUND'
          ? 'It may have been deleted, or it belongs to another company.'
          : String((video.error as Error)?.message ?? '')}
      </Alert>
    );
  }

  const uploadFailure = v.failure?.code.startsWith('UPLOAD') || v.failure?.code === 'UNSUPPORTED_MEDIA';
  const steps = v.steps ?? [];
  const analysis = analysisSummary(v.analysis);
  const media = (v.media ?? {}) as {
    durationS?: number | null;
    width?: number | null;
    height?: number | null;
    videoCodec?: string | null;
    fps?: number | null;
  };

  return (
    <Stack gap="lg">
      <ProjectCrumbs companyId={companyId} project={{ id: v.projectId, name: project.data?.name }} current={v.title} />

      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={1}>{v.title}</Title>
            <VideoStatusBadge status={v.status} />
          </Group>
          <Text size="sm" c="dimmed">
            {v.fileName} · {formatBytes(v.sizeBytes)}
            {video.live === 'live' ? ' · live' : ''}
          </Text>
        </Stack>
        {can('editor') && (
          <Group gap="xs">
            {v.status === 'FAILED' && !uploadFailure && (
              <Button onClick={() => retry.mutate()} loading={retry.isPending}>
                Retry
              </Button>
            )}
            {v.status === 'READY' && (
              <Button variant="default" onClick={() => reprocess.mutate()} loading={reprocess.isPending}>
                Reprocess
              </Button>
            )}
            <Button variant="subtle" color="red" onClick={() => setDeleting(true)}>
              Delete
            </Button>
          </Group>
        )}
      </Group>

      <div aria-live="polite">
        {v.failure && (
          <Alert color="red" title={`Failed: ${v.failure.code}`} role="alert">
            {v.failure.message}
          </Alert>
        )}
      </div>

      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          {v.playback && (v.playback.hlsUrl || v.playback.mp4Url) ? (
            <VideoPlayer playback={v.playback} title={v.title} />
          ) : (
            <Card withBorder h="100%" mih={240}>
              <Stack align="center" justify="center" h="100%" gap="xs">
                {!SETTLED.has(v.status) && <Loader size="sm" aria-hidden="true" />}
                <Text c="dimmed" ta="center">
                  {v.status === 'AWAITING_UPLOAD'
                    ? 'Waiting for the upload to finish. If it was interrupted, drop the same file on the project page to resume.'
                    : v.status === 'FAILED'
                      ? 'This video cannot be played.'
                      : 'The player appears as soon as the video is playable.'}
                </Text>
              </Stack>
            </Card>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder>
            <Title order={2} size="h5" mb="sm" id="steps-heading">
              Processing
            </Title>
            {steps.length ? (
              <Stack gap="sm" role="list" aria-labelledby="steps-heading">
                {steps.map((s) => (
                  <StepRow key={s.name} step={s} />
                ))}
              </Stack>
            ) : (
              <Text size="sm" c="dimmed">
                {v.status === 'AWAITING_UPLOAD'
                  ? 'Starts once the upload is complete.'
                  : v.status === 'UPLOADED'
                    ? 'Queued for processing.'
                    : 'No step details.'}
              </Text>
            )}
          </Card>
        </Grid.Col>
      </Grid>

      <Card withBorder>
        <Title order={2} size="h5" mb="sm">
          Details
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
          <Detail label="File" value={v.fileName} />
          <Detail label="Size" value={formatBytes(v.sizeBytes)} />
          <Detail label="Container" value={v.container ?? '—'} />
          {typeof media.durationS === 'number' && <Detail label="Duration" value={formatClock(media.durationS)} />}
          {typeof media.width === 'number' && <Detail label="Resolution" value={`${media.width}×${media.height}`} />}
          {media.videoCodec && (
            <Detail label="Codec" value={`${media.videoCodec}${media.fps ? ` · ${Math.round(media.fps)} fps` : ''}`} />
          )}
          <Detail label="Added" value={formatDate(v.createdAt)} />
          <Detail label="Uploaded" value={formatDate(v.uploadedAt)} />
          <Detail label="Playable" value={formatDate(v.playableAt)} />
          <Detail label="Ready" value={formatDate(v.readyAt)} />
          {analysis.loudness && (
            <Detail
              label="Loudness"
              value={`${analysis.loudness.integrated.toFixed(1)} LUFS${analysis.loudness.truePeak !== null ? ` · peak ${analysis.loudness.truePeak.toFixed(1)} dBFS` : ''}`}
            />
          )}
          {analysis.silent && <Detail label="Audio" value="No audio track" />}
        </SimpleGrid>
        {analysis.chapters.length > 1 && (
          <>
            <Title order={3} size="h6" mt="md" mb={4}>
              Chapters
            </Title>
            <Stack gap={2}>
              {analysis.chapters.map((c) => (
                <Text size="sm" key={c.index}>
                  {formatClock(c.startS)}–{formatClock(c.endS)} · Chapter {c.index + 1}
                </Text>
              ))}
            </Stack>
          </>
        )}
        {analysis.failed.map((f) => (
          <Text size="xs" c="orange" mt="xs" key={f.name}>
            Analyzer {f.name} failed: {f.error}
          </Text>
        ))}
      </Card>

      {can('editor') && <RenameVideo id={v.id} title={v.title} />}

      <ConfirmModal
        opened={deleting}
        onClose={() => setDeleting(false)}
        title="Delete video?"
        confirmLabel="Delete"
        pending={remove.isPending}
        onConfirm={() => remove.mutate()}
      >
        “{v.title}” and everything made from it will be deleted. This cannot be undone.
      </ConfirmModal>
    </Stack>
  );
}

function Detail({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
}

const STEP_COLOR: Record<string, string> = {
  done: 'teal',
  failed: 'red',
  running: 'violet',
  retrying: 'orange',
  skipped: 'gray',
  pending: 'gray',
};

function StepRow({ step }: { step: PipelineStep }) {
  return (
    <div role="listitem" data-step={step.name} data-step-status={step.status}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={500}>
          {stepLabel(step.name)}
        </Text>
        <Text size="xs" c={STEP_COLOR[step.status]}>
          {step.status === 'running' ? `${step.progress}%` : step.status}
          {step.attempts && step.attempts > 1 ? ` · attempt ${step.attempts}` : ''}
        </Text>
      </Group>
      <Progress
        value={step.status === 'done' || step.status === 'skipped' ? 100 : step.progress}
        color={STEP_COLOR[step.status]}
        size="sm"
        animated={step.status === 'running'}
        aria-label={`${stepLabel(step.name)}: ${step.status}`}
      />
      {step.error && (
        <Text size="xs" c="red" mt={2}>
          {step.error.code}: {step.error.message}
        </Text>
      )}
    </div>
  );
}

function RenameVideo({ id, title }: { id: string; title: string }) {
  const qc = useQueryClient();
  const [value, setValue] = useState(title);
  useEffect(() => setValue(title), [title]);
  const save = useMutation({
    mutationFn: () => api.video.update.mutate({ id, title: value }),
    onSuccess: () => {
      notifySuccess('Title saved');
      void qc.invalidateQueries({ queryKey: ['video', id] });
    },
    onError: (e) => notifyError(e, 'Could not save the title'),
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Group align="flex-end" maw={520}>
        <TextInput label="Title" value={value} onChange={(e) => setValue(e.currentTarget.value)} style={{ flex: 1 }} />
        <Button
          type="submit"
          variant="default"
          loading={save.isPending}
          disabled={value.trim() === title || !value.trim()}
        >
          Save title
        </Button>
      </Group>
    </form>
  );
}
