// Drag-and-drop (or choose) videos, with a progress bar per file, pause/resume, cancel and retry.
import { VIDEO_EXTENSIONS } from '@arvlite/client';
import { ActionIcon, Anchor, Button, Group, Paper, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'wouter';
import { api } from '../api.ts';
import { useMe } from '../auth/use-session.ts';
import { useFormat } from '../i18n/dashboard.ts';
import { uploaderFor } from './uploaders.ts';
import type { UploadRow } from './video-uploader.ts';

/** The Dropzone's accept map (content type → extensions), from the contract's accepted extensions. */
const ACCEPT: Record<string, string[]> = {};
for (const [ext, type] of Object.entries(VIDEO_EXTENSIONS)) (ACCEPT[type] ??= []).push(`.${ext}`);

type UploadPanelProps = { projectId: string; companyId: string; disabled?: boolean };

export function UploadPanel(props: UploadPanelProps) {
  const me = useMe();
  // The store's upload kind picks Uppy's upload plugin when the project's uploader is made: wait for it.
  if (!me.data) return null;
  return <ProjectUploads {...props} uploadKind={me.data.uploadKind} />;
}

function ProjectUploads({
  projectId,
  companyId,
  disabled,
  uploadKind,
}: UploadPanelProps & { uploadKind: Parameters<typeof uploaderFor>[1] }) {
  const { t } = useTranslation();
  const f = useFormat();
  const uploader = uploaderFor(projectId, uploadKind);
  const rows = useSyncExternalStore(uploader.subscribe, uploader.getSnapshot);
  // Re-read after a discard; the list lives in localStorage.
  const [, setResumeVersion] = useState(0);
  const active = new Set(rows.map((r) => r.videoId));
  const interrupted = uploader.resume.list(projectId).filter((e) => e.kind === 'multipart' && !active.has(e.videoId));

  return (
    <Stack gap="sm">
      <Dropzone
        onDrop={(files) => uploader.addFiles(files)}
        accept={ACCEPT}
        disabled={disabled}
        aria-label={t('upload.dropzone')}
        inputProps={{ 'aria-label': t('upload.input') }}
        radius="md"
      >
        <Stack align="center" gap={4} py="lg" style={{ pointerEvents: 'none' }}>
          <svg
            width="40"
            height="40"
            viewBox="0 0 24 24"
            aria-hidden="true"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
          >
            <path d="M12 16V4m0 0-4 4m4-4 4 4M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3" />
          </svg>
          <Dropzone.Idle>
            <Text fw={500}>{t('upload.idle')}</Text>
          </Dropzone.Idle>
          <Dropzone.Accept>
            <Text fw={500}>{t('upload.accept')}</Text>
          </Dropzone.Accept>
          <Dropzone.Reject>
            <Text fw={500} c="red">
              {t('upload.reject')}
            </Text>
          </Dropzone.Reject>
          <Text size="sm" c="dimmed">
            {t('upload.hint')}
          </Text>
        </Stack>
      </Dropzone>

      {interrupted.length > 0 && (
        <Paper withBorder p="sm" bg="var(--mantine-color-yellow-light)">
          <Text size="sm" fw={500} mb={4}>
            {t('upload.interrupted')}
          </Text>
          {interrupted.map((e) => (
            <Group key={e.videoId} justify="space-between" wrap="nowrap">
              <Text size="sm">{t('upload.dropAgain', { name: e.fileName, size: f.bytes(e.size) })}</Text>
              <Button
                size="xs"
                variant="subtle"
                color="red"
                aria-label={t('upload.discardLabel', { name: e.fileName })}
                onClick={async () => {
                  uploader.resume.removeVideo(e.videoId);
                  await api.video.abortUpload.mutate({ videoId: e.videoId }).catch(() => null);
                  setResumeVersion((v) => v + 1);
                }}
              >
                {t('upload.discard')}
              </Button>
            </Group>
          ))}
        </Paper>
      )}

      {rows.length > 0 && (
        <Stack gap="xs" aria-label={t('upload.list')} role="list">
          {rows.map((r) => (
            <UploadRowView key={r.id} row={r} companyId={companyId} uploader={uploader} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function UploadRowView({
  row,
  companyId,
  uploader,
}: {
  row: UploadRow;
  companyId: string;
  uploader: ReturnType<typeof uploaderFor>;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const color =
    row.phase === 'failed' ? 'red' : row.phase === 'done' ? 'teal' : row.phase === 'paused' ? 'gray' : 'violet';
  const canPause = row.phase === 'uploading' || row.phase === 'paused';
  return (
    <Paper
      withBorder
      p="sm"
      role="listitem"
      data-upload-phase={row.phase}
      aria-label={t('upload.rowLabel', { name: row.name })}
    >
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" fw={500} truncate>
              {row.name}
            </Text>
            {row.resumed && (
              <Text size="xs" c="dimmed">
                {t('upload.resumed')}
              </Text>
            )}
          </Group>
          <Progress
            value={row.percent}
            color={color}
            animated={row.phase === 'uploading' || row.phase === 'completing'}
            aria-label={t('upload.progressLabel', { name: row.name })}
            aria-valuetext={`${row.percent}%`}
          />
          <Text size="xs" c={row.phase === 'failed' ? 'red' : 'dimmed'} aria-live="polite">
            {t(`upload.phase.${row.phase}`)}
            {row.phase === 'uploading' || row.phase === 'paused'
              ? ` · ${t('upload.progress', { done: f.bytes(row.bytesUploaded), total: f.bytes(row.size), percent: `${row.percent}%` })}`
              : ''}
            {row.error ? ` · ${row.error}` : ''}
          </Text>
        </Stack>
        <Group gap={4} wrap="nowrap">
          {canPause && (
            <Tooltip label={row.phase === 'paused' ? t('upload.resume') : t('upload.pause')}>
              <ActionIcon
                variant="subtle"
                aria-label={
                  row.phase === 'paused'
                    ? t('upload.resumeLabel', { name: row.name })
                    : t('upload.pauseLabel', { name: row.name })
                }
                onClick={() => uploader.pauseResume(row.id)}
              >
                {row.phase === 'paused' ? <PlayIcon /> : <PauseIcon />}
              </ActionIcon>
            </Tooltip>
          )}
          {row.retryable && (
            <Button
              size="xs"
              variant="light"
              onClick={() => void uploader.retry(row.id)}
              aria-label={t('upload.retryLabel', { name: row.name })}
            >
              {t('upload.retry')}
            </Button>
          )}
          {row.phase === 'done' && row.videoId && (
            <Anchor component={Link} href={`/c/${companyId}/videos/${row.videoId}`} size="sm">
              {t('upload.open')}
            </Anchor>
          )}
          {row.phase === 'done' || (row.phase === 'failed' && !row.retryable) ? (
            <Tooltip label={t('upload.removeFromList')}>
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={t('upload.removeLabel', { name: row.name })}
                onClick={() => uploader.dismiss(row.id)}
              >
                <CloseIcon />
              </ActionIcon>
            </Tooltip>
          ) : (
            <Tooltip label={t('upload.cancel')}>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t('upload.cancelLabel', { name: row.name })}
                onClick={() => void uploader.cancel(row.id)}
              >
                <CloseIcon />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
      </Group>
    </Paper>
  );
}

const PauseIcon = () => (
  <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
    <rect x="6" y="5" width="4" height="14" rx="1" />
    <rect x="14" y="5" width="4" height="14" rx="1" />
  </svg>
);
const PlayIcon = () => (
  <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
    <path d="M8 5v14l11-7z" />
  </svg>
);
const CloseIcon = () => (
  <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2">
    <path d="M6 6l12 12M18 6 6 18" />
  </svg>
);
