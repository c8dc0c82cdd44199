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
import { useTranslation } from 'react-i18next';
import { useLocation, useParams } from 'wouter';
import { api, errorCode, errorMessage } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useCompany } from '../components/use-company.ts';
import { VideoPlayer } from '../components/video-player.tsx';
import { SETTLED, VideoStatusBadge } from '../components/video-status.tsx';
import {
  analysisSummary,
  failureText,
  reprocessVideo,
  retryVideo,
  stepLabel,
  watchVideo,
  type PipelineStep,
  type VideoDetail,
} from '../pipeline.ts';
import { ProjectCrumbs } from '../components/project-crumbs.tsx';
import { ConfirmModal } from '../components/confirm-modal.tsx';
import { useFormat } from '../i18n/dashboard.ts';
import { ChromaKeyCard } from './video-chroma-key.tsx';

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
  const { t } = useTranslation();
  const f = useFormat();
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
    onSuccess: () => (notifySuccess(t('video.restarted')), refresh()),
    onError: (e) => notifyError(e, t('video.couldNotRetry')),
  });
  const reprocess = useMutation({
    mutationFn: () => reprocessVideo(videoId),
    onSuccess: () => (notifySuccess(t('video.reprocessing')), refresh()),
    onError: (e) => notifyError(e, t('video.couldNotReprocess')),
  });
  const remove = useMutation({
    mutationFn: () => api.video.delete.mutate({ id: videoId }),
    onSuccess: () => {
      notifySuccess(t('video.deleted'));
      if (v) void qc.invalidateQueries({ queryKey: ['videos', v.projectId] });
      navigate(v ? `/c/${companyId}/projects/${v.projectId}` : `/c/${companyId}/projects`);
    },
    onError: (e) => notifyError(e, t('video.couldNotDelete')),
  });

  if (video.isPending) return <Loader aria-label={t('video.loading')} />;
  if (!v) {
    return (
      <Alert
        color="red"
        role="alert"
        title={errorCode(video.error) === 'NOT_FOUND' ? t('video.notFound') : t('video.couldNotLoad')}
      >
        {errorCode(video.error) === 'NOT_FOUND' ? t('video.notFoundText') : errorMessage(video.error)}
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
            {v.fileName} · {f.bytes(v.sizeBytes)}
            {video.live === 'live' ? ` · ${t('video.live')}` : ''}
          </Text>
        </Stack>
        {can('editor') && (
          <Group gap="xs">
            {v.status === 'FAILED' && !uploadFailure && (
              <Button onClick={() => retry.mutate()} loading={retry.isPending}>
                {t('video.retry')}
              </Button>
            )}
            {v.status === 'READY' && (
              <Button variant="default" onClick={() => reprocess.mutate()} loading={reprocess.isPending}>
                {t('video.reprocess')}
              </Button>
            )}
            {/* Deleting is for admins, as for AR content (README, roles). */}
            {can('admin') && (
              <Button variant="subtle" color="red" onClick={() => setDeleting(true)}>
                {t('video.delete')}
              </Button>
            )}
          </Group>
        )}
      </Group>

      <div aria-live="polite">
        {v.failure && (
          <Alert color="red" title={t('video.failed', { code: v.failure.code })} role="alert">
            {failureText(v.failure.code)}
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
                    ? t('video.waitingUpload')
                    : v.status === 'FAILED'
                      ? t('video.cannotPlay')
                      : t('video.playerSoon')}
                </Text>
              </Stack>
            </Card>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder>
            <Title order={2} size="h5" mb="sm" id="steps-heading">
              {t('video.processing')}
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
                  ? t('video.startsAfterUpload')
                  : v.status === 'UPLOADED'
                    ? t('video.queued')
                    : t('video.noSteps')}
              </Text>
            )}
          </Card>
        </Grid.Col>
      </Grid>

      <Card withBorder>
        <Title order={2} size="h5" mb="sm">
          {t('video.details')}
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm">
          <Detail label={t('video.file')} value={v.fileName} />
          <Detail label={t('video.size')} value={f.bytes(v.sizeBytes)} />
          <Detail label={t('video.container')} value={v.container ?? '—'} />
          {typeof media.durationS === 'number' && (
            <Detail label={t('video.duration')} value={f.clock(media.durationS)} />
          )}
          {typeof media.width === 'number' && (
            <Detail label={t('video.resolution')} value={`${media.width}×${media.height}`} />
          )}
          {media.videoCodec && (
            <Detail
              label={t('video.codec')}
              value={
                media.fps
                  ? t('video.fps', { codec: media.videoCodec, fps: f.number(Math.round(media.fps)) })
                  : media.videoCodec
              }
            />
          )}
          <Detail label={t('video.added')} value={f.dateTime(v.createdAt)} />
          <Detail label={t('video.uploaded')} value={f.dateTime(v.uploadedAt)} />
          <Detail label={t('video.playable')} value={f.dateTime(v.playableAt)} />
          <Detail label={t('video.ready')} value={f.dateTime(v.readyAt)} />
          {analysis.loudness && (
            <Detail
              label={t('video.loudness')}
              value={
                analysis.loudness.truePeak !== null
                  ? t('video.loudnessPeak', {
                      lufs: f.fixed(analysis.loudness.integrated, 1),
                      peak: f.fixed(analysis.loudness.truePeak, 1),
                    })
                  : t('video.loudnessValue', { lufs: f.fixed(analysis.loudness.integrated, 1) })
              }
            />
          )}
          {analysis.silent && <Detail label={t('video.audio')} value={t('video.noAudio')} />}
        </SimpleGrid>
        {analysis.chapters.length > 1 && (
          <>
            <Title order={3} size="h6" mt="md" mb={4}>
              {t('video.chapters')}
            </Title>
            <Stack gap={2}>
              {analysis.chapters.map((c) => (
                <Text size="sm" key={c.index}>
                  {t('video.chapter', { from: f.clock(c.startS), to: f.clock(c.endS), n: c.index + 1 })}
                </Text>
              ))}
            </Stack>
          </>
        )}
        {analysis.failed.map((a) => (
          <Text size="xs" c="orange" mt="xs" key={a.name}>
            {t('video.analyzerFailed', { name: a.name, error: a.error })}
          </Text>
        ))}
      </Card>

      {can('editor') && <RenameVideo id={v.id} title={v.title} />}
      {can('editor') && <ChromaKeyCard id={v.id} chromaKey={v.chromaKey} />}

      <ConfirmModal
        opened={deleting}
        onClose={() => setDeleting(false)}
        title={t('video.deleteTitle')}
        confirmLabel={t('common:actions.delete')}
        pending={remove.isPending}
        onConfirm={() => remove.mutate()}
      >
        {t('video.deleteText', { title: v.title })}
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
  const { t } = useTranslation();
  const status = t(`steps.status.${step.status}`, { defaultValue: step.status });
  return (
    <div role="listitem" data-step={step.name} data-step-status={step.status}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={500}>
          {stepLabel(step.name)}
        </Text>
        <Text size="xs" c={STEP_COLOR[step.status]}>
          {step.status === 'running' ? `${step.progress}%` : status}
          {step.attempts && step.attempts > 1 ? ` · ${t('steps.attempt', { count: step.attempts })}` : ''}
        </Text>
      </Group>
      <Progress
        value={step.status === 'done' || step.status === 'skipped' ? 100 : step.progress}
        color={STEP_COLOR[step.status]}
        size="sm"
        animated={step.status === 'running'}
        aria-label={t('steps.progressLabel', { step: stepLabel(step.name), status })}
      />
      {step.error && (
        <Text size="xs" c="red" mt={2}>
          {step.error.code}: {failureText(step.error.code)}
        </Text>
      )}
    </div>
  );
}

function RenameVideo({ id, title }: { id: string; title: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [value, setValue] = useState(title);
  useEffect(() => setValue(title), [title]);
  const save = useMutation({
    mutationFn: () => api.video.update.mutate({ id, title: value }),
    onSuccess: () => {
      notifySuccess(t('video.titleSaved'));
      void qc.invalidateQueries({ queryKey: ['video', id] });
    },
    onError: (e) => notifyError(e, t('video.couldNotSaveTitle')),
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Group align="flex-end" maw={520}>
        <TextInput
          label={t('video.title')}
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          style={{ flex: 1 }}
        />
        <Button
          type="submit"
          variant="default"
          loading={save.isPending}
          disabled={value.trim() === title || !value.trim()}
        >
          {t('video.saveTitle')}
        </Button>
      </Group>
    </form>
  );
}
