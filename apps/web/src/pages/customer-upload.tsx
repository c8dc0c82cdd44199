// /u#<token>: the page an operator's customer opens from a mail or a QR code to upload the video of their AR item,
// from a phone, with no account. The token stays in the fragment (never sent to the server in a URL) and goes to the
// API in POST bodies; the upload runs through the shared upload client (packages/client) and resumes after a reload
// when the same file is picked again.
import {
  customerUploadApi,
  errorCode,
  resumeUploadWith,
  uploadWith,
  videoContentTypeOf,
  VIDEO_EXTENSIONS,
  type CustomerUploadClosedReason,
} from '@arvlite/client';
import { Alert, Button, Container, FileInput, Group, Loader, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { LanguageMenu } from '../components/language-menu.tsx';
import { useFormat } from '../i18n/dashboard.ts';

const ACCEPT = ['video/*', ...Object.keys(VIDEO_EXTENSIONS).map((e) => `.${e}`)].join(',');

const UPLOAD_ERRORS = {
  TOO_LARGE: 'customerUpload.errors.TOO_LARGE',
  EXPIRED: 'customerUpload.closed.EXPIRED.body',
  REVOKED: 'customerUpload.closed.REVOKED.body',
  USED: 'customerUpload.closed.USED.body',
  NOT_FOUND: 'customerUpload.closed.NOT_FOUND.body',
  UNSUPPORTED_MEDIA: 'customerUpload.wrongType',
};

function tokenOf(hash: string): string {
  return hash.replace(/^#/, '').trim();
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'uploading'; uploaded: number; total: number }
  | { kind: 'done' }
  | { kind: 'failed'; message: string };

export function CustomerUploadPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const [token, setToken] = useState(() => tokenOf(window.location.hash));
  // Another link opened in the same tab changes only the fragment: follow it.
  useEffect(() => {
    const follow = () => {
      setToken(tokenOf(window.location.hash));
      setFile(null);
      setPhase({ kind: 'idle' });
    };
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const link = useQuery({
    queryKey: ['customer-upload', token],
    queryFn: () => api.customerUpload.describe.mutate({ token }),
    enabled: /^[A-Za-z0-9_-]{43}$/.test(token),
    retry: false,
    refetchOnWindowFocus: false,
  });

  const closed = (reason: CustomerUploadClosedReason) => (
    <Alert color={reason === 'USED' ? 'teal' : 'orange'} title={t(`customerUpload.closed.${reason}.title`)}>
      <span data-testid="customer-upload-closed" data-reason={reason}>
        {t(`customerUpload.closed.${reason}.body`)}
      </span>
    </Alert>
  );

  let body;
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) body = closed('NOT_FOUND');
  else if (link.isPending) body = <Loader />;
  else if (link.isError) body = <Alert color="red">{errorMessage(link.error)}</Alert>;
  else if (!link.data.ok && phase.kind !== 'done') body = closed(link.data.reason);
  else if (phase.kind === 'done') {
    body = (
      <Alert color="teal" title={t('customerUpload.done.title')}>
        <span data-testid="customer-upload-done">{t('customerUpload.done.body')}</span>
      </Alert>
    );
  } else if (link.data.ok) {
    const info = link.data;
    const contentType = file ? videoContentTypeOf(file) : null;
    const tooLarge = file ? file.size > info.maxBytes : false;
    const resumable =
      file &&
      info.upload?.kind === 'multipart' &&
      info.upload.fileName === file.name &&
      info.upload.sizeBytes === file.size;
    const start = async () => {
      if (!file || !contentType || tooLarge) return;
      setPhase({ kind: 'uploading', uploaded: 0, total: file.size });
      const source = { size: file.size, slice: (s: number, e: number) => file.slice(s, e) };
      const onProgress = (p: { uploadedBytes: number; totalBytes: number }) =>
        setPhase({ kind: 'uploading', uploaded: p.uploadedBytes, total: p.totalBytes });
      try {
        if (resumable) await resumeUploadWith(customerUploadApi(api, token), '', source, { onProgress });
        else
          await uploadWith(customerUploadApi(api, token, { fileName: file.name, contentType }), source, { onProgress });
        setPhase({ kind: 'done' });
      } catch (e) {
        setPhase({ kind: 'failed', message: errorMessage(e, UPLOAD_ERRORS) });
        // The link may have closed meanwhile (expired, withdrawn): show that instead of a retry.
        if (errorCode(e) === 'FORBIDDEN' || errorCode(e) === 'NOT_FOUND')
          await qc.invalidateQueries({ queryKey: ['customer-upload', token] });
      }
    };
    const busy = phase.kind === 'uploading';
    body = (
      <Stack>
        <Title order={2}>{t('customerUpload.title', { title: info.title })}</Title>
        <Text>{t('customerUpload.intro', { company: info.companyName })}</Text>
        <Text size="sm" c="dimmed" data-testid="customer-upload-limits">
          {t('customerUpload.limits', { size: f.bytes(info.maxBytes), date: f.dateTime(info.expiresAt) })}
        </Text>
        {info.upload && (
          <Alert color="blue" data-testid="customer-upload-resume">
            {t('customerUpload.resume', { name: info.upload.fileName, size: f.bytes(info.upload.sizeBytes) })}
          </Alert>
        )}
        <FileInput
          label={t('customerUpload.file')}
          placeholder={t('customerUpload.pick')}
          accept={ACCEPT}
          value={file}
          onChange={(v) => {
            setFile(v);
            setPhase({ kind: 'idle' });
          }}
          disabled={busy}
          data-testid="customer-upload-file"
          error={
            file && !contentType
              ? t('customerUpload.wrongType')
              : tooLarge
                ? t('customerUpload.tooLarge', { size: f.bytes(info.maxBytes) })
                : undefined
          }
        />
        {phase.kind === 'uploading' && (
          <Stack gap={4}>
            <Progress value={phase.total ? (phase.uploaded / phase.total) * 100 : 0} animated />
            <Text size="sm" data-testid="customer-upload-progress">
              {t('customerUpload.progress', { uploaded: f.bytes(phase.uploaded), total: f.bytes(phase.total) })}
            </Text>
          </Stack>
        )}
        {phase.kind === 'failed' && (
          <Alert color="red" title={t('customerUpload.failed')}>
            {phase.message}
          </Alert>
        )}
        <Group>
          <Button onClick={() => void start()} loading={busy} disabled={!file || !contentType || tooLarge}>
            {phase.kind === 'failed'
              ? t('customerUpload.retry')
              : resumable
                ? t('customerUpload.continue')
                : t('customerUpload.upload')}
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    <Container size="xs" py="xl">
      <Paper withBorder p="lg" radius="md">
        <Stack>
          <Group justify="flex-end">
            <LanguageMenu />
          </Group>
          {body}
        </Stack>
      </Paper>
    </Container>
  );
}

export default CustomerUploadPage;
