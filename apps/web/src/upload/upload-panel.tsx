// Drag-and-drop (or choose) videos, with a progress bar per file, pause/resume, cancel and retry.
import { VIDEO_EXTENSIONS } from '@arvlite/client';
import { ActionIcon, Anchor, Button, Group, Paper, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import { useState, useSyncExternalStore } from 'react';
import { Link } from 'wouter';
import { api } from '../api.ts';
import { formatBytes } from '../components/format.ts';
import { uploaderFor } from './uploaders.ts';
import type { UploadRow } from './video-uploader.ts';

const PHASE_TEXT: Record<UploadRow['phase'], string> = {
  preparing: 'Preparing…',
  uploading: 'Uploading',
  paused: 'Paused',
  completing: 'Checking the file…',
  done: 'Uploaded',
  failed: 'Failed',
};

/** The Dropzone's accept map (content type → extensions), from the contract's accepted extensions. */
const ACCEPT: Record<string, string[]> = {};
for (const [ext, type] of Object.entries(VIDEO_EXTENSIONS)) (ACCEPT[type] ??= []).push(`.${ext}`);

export function UploadPanel({
  projectId,
  companyId,
  disabled,
}: {
  projectId: string;
  companyId: string;
  disabled?: boolean;
}) {
  const uploader = uploaderFor(projectId);
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
        aria-label="Upload videos: drop files here, or press Enter to choose them"
        inputProps={{ 'aria-label': 'Video files to upload' }}
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
            <Text fw={500}>Drop videos here, or click to choose</Text>
          </Dropzone.Idle>
          <Dropzone.Accept>
            <Text fw={500}>Drop to upload</Text>
          </Dropzone.Accept>
          <Dropzone.Reject>
            <Text fw={500} c="red">
              Only MP4, MOV, WebM and MKV videos
            </Text>
          </Dropzone.Reject>
          <Text size="sm" c="dimmed">
            MP4, MOV, WebM or MKV. Large files upload in parts and resume after a reload.
          </Text>
        </Stack>
      </Dropzone>

      {interrupted.length > 0 && (
        <Paper withBorder p="sm" bg="var(--mantine-color-yellow-light)">
          <Text size="sm" fw={500} mb={4}>
            Interrupted uploads
          </Text>
          {interrupted.map((e) => (
            <Group key={e.videoId} justify="space-between" wrap="nowrap">
              <Text size="sm">
                Drop “{e.fileName}” ({formatBytes(e.size)}) again to resume where it stopped.
              </Text>
              <Button
                size="xs"
                variant="subtle"
                color="red"
                aria-label={`Discard the interrupted upload of ${e.fileName}`}
                onClick={async () => {
                  uploader.resume.removeVideo(e.videoId);
                  await api.video.abortUpload.mutate({ videoId: e.videoId }).catch(() => null);
                  setResumeVersion((v) => v + 1);
                }}
              >
                Discard
              </Button>
            </Group>
          ))}
        </Paper>
      )}

      {rows.length > 0 && (
        <Stack gap="xs" aria-label="Uploads" role="list">
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
  const color =
    row.phase === 'failed' ? 'red' : row.phase === 'done' ? 'teal' : row.phase === 'paused' ? 'gray' : 'violet';
  const canPause = row.phase === 'uploading' || row.phase === 'paused';
  return (
    <Paper withBorder p="sm" role="listitem" data-upload-phase={row.phase} aria-label={`Upload of ${row.name}`}>
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" fw={500} truncate>
              {row.name}
            </Text>
            {row.resumed && (
              <Text size="xs" c="dimmed">
                (resumed)
              </Text>
            )}
          </Group>
          <Progress
            value={row.percent}
            color={color}
            animated={row.phase === 'uploading' || row.phase === 'completing'}
            aria-label={`Upload progress for ${row.name}`}
            aria-valuetext={`${row.percent}%`}
          />
          <Text size="xs" c={row.phase === 'failed' ? 'red' : 'dimmed'} aria-live="polite">
            {PHASE_TEXT[row.phase]}
            {row.phase === 'uploading' || row.phase === 'paused'
              ? ` · ${formatBytes(row.bytesUploaded)} of ${formatBytes(row.size)} (${row.percent}%)`
              : ''}
            {row.error ? ` · ${row.error}` : ''}
          </Text>
        </Stack>
        <Group gap={4} wrap="nowrap">
          {canPause && (
            <Tooltip label={row.phase === 'paused' ? 'Resume' : 'Pause'}>
              <ActionIcon
                variant="subtle"
                aria-label={`${row.phase === 'paused' ? 'Resume' : 'Pause'} ${row.name}`}
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
              aria-label={`Retry ${row.name}`}
            >
              Retry
            </Button>
          )}
          {row.phase === 'done' && row.videoId && (
            <Anchor component={Link} href={`/c/${companyId}/videos/${row.videoId}`} size="sm">
              Open
            </Anchor>
          )}
          {row.phase === 'done' || (row.phase === 'failed' && !row.retryable) ? (
            <Tooltip label="Remove from list">
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={`Remove ${row.name} from the list`}
                onClick={() => uploader.dismiss(row.id)}
              >
                <CloseIcon />
              </ActionIcon>
            </Tooltip>
          ) : (
            <Tooltip label="Cancel upload">
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Cancel the upload of ${row.name}`}
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
