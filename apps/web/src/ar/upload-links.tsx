// Customer upload links of an AR content item (editors and above): create one (URL and QR code shown once, optionally
// mailed to the customer), list and revoke them, and approve or reject the video a customer uploaded, with a preview.
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Image,
  NumberInput,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type RouterOutputs } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { VideoPlayer } from '../components/video-player.tsx';
import { useFormat } from '../i18n/dashboard.ts';
import type { ArContentDetail } from './ar-status.tsx';

type Created = RouterOutputs['arContent']['createUploadLink'];
type Link = RouterOutputs['arContent']['uploadLinks']['items'][number];

const MiB = 1024 * 1024;
const STATE_COLORS: Record<Link['state'], string> = {
  OPEN: 'blue',
  UPLOADING: 'cyan',
  UPLOADED: 'yellow',
  APPROVED: 'teal',
  REJECTED: 'gray',
  REVOKED: 'gray',
  EXPIRED: 'gray',
};

const LINK_ERRORS = {
  TOO_MANY_LINKS: 'uploadLinks.errors.TOO_MANY_LINKS',
  TOO_LARGE: 'uploadLinks.errors.TOO_LARGE',
  USED: 'uploadLinks.errors.USED',
  VIDEO_FAILED: 'uploadLinks.errors.VIDEO_FAILED',
  AR_CONTENT_NOT_LIVE: 'uploadLinks.errors.AR_CONTENT_NOT_LIVE',
};

function Preview({ videoId, title }: { videoId: string; title: string }) {
  const { t } = useTranslation();
  const video = useQuery({
    queryKey: ['video', videoId],
    queryFn: () => api.video.byId.query({ id: videoId }),
    refetchInterval: (q) => (q.state.data && ['READY', 'FAILED'].includes(q.state.data.status) ? false : 3000),
  });
  const v = video.data;
  if (!v) return null;
  if (v.playback && (v.playback.hlsUrl || v.playback.mp4Url))
    return <VideoPlayer playback={v.playback} title={title} />;
  return (
    <Text size="sm" c="dimmed" data-testid="customer-video-status">
      {t(`uploadLinks.videoStatus.${v.status === 'FAILED' ? 'FAILED' : 'PROCESSING'}`)}
    </Text>
  );
}

export function UploadLinks({ content, canEdit }: { content: ArContentDetail; canEdit: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const [days, setDays] = useState<number | string>(7);
  const [maxMiB, setMaxMiB] = useState<number | string>(2048);
  const [email, setEmail] = useState(content.customer.email ?? '');
  const [created, setCreated] = useState<Created | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const links = useQuery({
    queryKey: ['upload-links', content.id],
    queryFn: () => api.arContent.uploadLinks.query({ id: content.id }),
    enabled: canEdit,
    refetchInterval: 5000,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['upload-links', content.id] });
  const create = useMutation({
    mutationFn: (send: boolean) =>
      api.arContent.createUploadLink.mutate({
        id: content.id,
        expiresInHours: Math.round(Number(days) * 24),
        maxBytes: Math.round(Number(maxMiB) * MiB),
        ...(send && email.trim() ? { sendTo: email.trim() } : {}),
      }),
    onSuccess: (r) => {
      setCreated(r);
      if (r.emailMessageId) notifySuccess(t('uploadLinks.sent', { email: email.trim() }));
      return refresh();
    },
    onError: (e) => notifyError(e, t('uploadLinks.createFailed'), LINK_ERRORS),
  });
  const act = useMutation({
    mutationFn: (a: { kind: 'revoke' | 'approve' | 'reject'; link: Link }) =>
      a.kind === 'revoke'
        ? api.arContent.revokeUploadLink.mutate({ id: a.link.id })
        : a.kind === 'approve'
          ? api.arContent.approveCustomerVideo.mutate({ id: content.id, videoId: a.link.video!.id })
          : api.arContent.rejectCustomerVideo.mutate({ id: content.id, videoId: a.link.video!.id }),
    onSuccess: (_r, a) => {
      notifySuccess(t(`uploadLinks.done.${a.kind}`));
      return qc.invalidateQueries();
    },
    onError: (e) => notifyError(e, t('uploadLinks.actionFailed'), LINK_ERRORS),
  });
  if (!canEdit) return null;

  return (
    <Paper withBorder p="md" data-testid="upload-links">
      <Stack gap="sm">
        <Text fw={600}>{t('uploadLinks.title')}</Text>
        <Text size="sm" c="dimmed">
          {t('uploadLinks.intro')}
        </Text>
        <Group align="flex-end" wrap="wrap">
          <NumberInput
            label={t('uploadLinks.days')}
            min={1}
            max={30}
            value={days}
            onChange={setDays}
            w={140}
            allowDecimal={false}
          />
          <NumberInput
            label={t('uploadLinks.maxMiB')}
            min={1}
            value={maxMiB}
            onChange={setMaxMiB}
            w={160}
            allowDecimal={false}
          />
          <TextInput
            label={t('uploadLinks.email')}
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            w={240}
            type="email"
          />
        </Group>
        <Group>
          <Button onClick={() => create.mutate(false)} loading={create.isPending && !create.variables}>
            {t('uploadLinks.create')}
          </Button>
          <Button
            variant="light"
            disabled={!email.trim()}
            onClick={() => create.mutate(true)}
            loading={create.isPending && create.variables === true}
          >
            {t('uploadLinks.createAndSend')}
          </Button>
        </Group>
        {created && (
          <Alert color="blue" title={t('uploadLinks.createdTitle')} data-testid="upload-link-created">
            <Stack gap="xs">
              <Text size="sm">{t('uploadLinks.createdHelp')}</Text>
              <Code block data-testid="upload-link-url">
                {created.url}
              </Code>
              <CopyButton value={created.url}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="light" onClick={copy}>
                    {copied ? t('uploadLinks.copied') : t('uploadLinks.copy')}
                  </Button>
                )}
              </CopyButton>
              <Image
                src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(created.qrSvg)}`}
                alt={t('uploadLinks.qrAlt')}
                w={200}
                h={200}
              />
            </Stack>
          </Alert>
        )}
        {links.data && links.data.items.length > 0 && (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('uploadLinks.state')}</Table.Th>
                <Table.Th>{t('uploadLinks.expires')}</Table.Th>
                <Table.Th>{t('uploadLinks.video')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {links.data.items.map((l) => (
                <Table.Tr key={l.id} data-testid="upload-link-row" data-state={l.state}>
                  <Table.Td>
                    <Badge color={STATE_COLORS[l.state]}>{t(`uploadLinks.states.${l.state}`)}</Badge>
                  </Table.Td>
                  <Table.Td>{f.dateTime(l.expiresAt)}</Table.Td>
                  <Table.Td>
                    {l.video
                      ? `${l.video.title} · ${f.bytes(l.video.sizeBytes)} · ${t(`videoStatus.${l.video.status}`)}`
                      : '—'}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end">
                      {(l.state === 'OPEN' || l.state === 'UPLOADING') && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          onClick={() => act.mutate({ kind: 'revoke', link: l })}
                        >
                          {t('uploadLinks.revoke')}
                        </Button>
                      )}
                      {l.state === 'UPLOADED' && l.video && (
                        <>
                          <Button size="xs" variant="subtle" onClick={() => setPreview(preview === l.id ? null : l.id)}>
                            {t('uploadLinks.preview')}
                          </Button>
                          <Button
                            size="xs"
                            color="teal"
                            disabled={l.video.status === 'FAILED'}
                            onClick={() => act.mutate({ kind: 'approve', link: l })}
                          >
                            {t('uploadLinks.approve')}
                          </Button>
                          <Button
                            size="xs"
                            variant="light"
                            color="red"
                            onClick={() => act.mutate({ kind: 'reject', link: l })}
                          >
                            {t('uploadLinks.reject')}
                          </Button>
                        </>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {preview &&
          (() => {
            const l = links.data?.items.find((x) => x.id === preview);
            return l?.video ? <Preview videoId={l.video.id} title={l.video.title} /> : null;
          })()}
      </Stack>
    </Paper>
  );
}
