// One project: its AR content (with status; a ready item opens in the viewer), its videos (with status), and video
// uploads from the phone with progress, resumable after the app was backgrounded or closed.
import type { Language } from '@arvlite/contract';
import { formatBytes } from '@arvlite/i18n';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { View } from 'react-native';
import { errorText } from '../lib/api-errors.ts';
import { useNavigation } from '../navigation.ts';
import type { PendingUpload, UploadEvent } from '../operator/upload-queue.ts';
import { canRecordVideo, pickVideo } from '../platform/video-files';
import { useServices } from '../services-context.ts';
import { Body, Button, ErrorText, Heading, Loading, ProgressBar, Row, Screen, StatusBadge } from '../ui/kit.tsx';
import { space } from '../ui/theme.ts';
import { useAsync } from '../ui/use-async.ts';

/** What an upload waiting to resume shows: why it stopped, if known in this app run. */
const stopped = (e: UploadEvent | undefined) => (e?.phase === 'waiting' ? e.error : undefined);

export function ProjectScreen({ projectId, projectName }: { projectId: string; projectName: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language as Language;
  const nav = useNavigation();
  const { client, uploads } = useServices();
  const arContent = useAsync(
    async () => (await client.arContent.list.query({ projectId, limit: 100 })).items,
    [client, projectId],
  );
  const videos = useAsync(
    async () => (await client.video.list.query({ projectId, limit: 100 })).items,
    [client, projectId],
  );
  const [live, setLive] = useState<Record<string, UploadEvent>>({});
  const [pending, setPending] = useState<PendingUpload[]>([]);
  // Kept as the error, not its text, so it follows a change of language.
  const [error, setError] = useState<{ err: unknown; upload: boolean } | null>(null);

  const { reload: reloadVideos } = videos;
  useEffect(() => {
    const refreshPending = () =>
      void uploads.pending().then((l) => setPending(l.filter((p) => p.projectId === projectId)));
    refreshPending();
    return uploads.subscribe((e) => {
      if (e.projectId !== projectId) return;
      setLive((m) => ({ ...m, [e.videoId]: e }));
      if (e.phase !== 'uploading') {
        refreshPending();
        reloadVideos();
      }
    });
  }, [uploads, projectId, reloadVideos]);

  const upload = async (mode: 'library' | 'camera') => {
    setError(null);
    try {
      const video = await pickVideo(mode);
      if (!video) return;
      const earlier = await uploads.matching(projectId, video);
      const run = earlier ? uploads.resumeWith(earlier.videoId, video) : uploads.start(projectId, video);
      await run.catch((err: unknown) => setError({ err, upload: true }));
    } catch (err) {
      setError({ err, upload: false });
    }
  };

  const running = Object.values(live).filter((e) => e.phase === 'uploading');
  const waiting = pending.filter((p) => live[p.videoId]?.phase !== 'uploading');

  return (
    <Screen title={projectName} onBack={nav.back}>
      <Heading>{t('project.arContent')}</Heading>
      {arContent.loading && !arContent.data ? <Loading /> : null}
      {arContent.error ? <ErrorText>{errorText(arContent.error, t)}</ErrorText> : null}
      {arContent.data?.length === 0 ? <Body muted>{t('project.noArContent')}</Body> : null}
      {arContent.data?.map((c) => (
        <Row
          key={c.id}
          testID={`ar-content-${c.id}`}
          label={t('project.arContentLabel', { title: c.title })}
          onPress={c.status === 'READY' ? () => nav.push({ name: 'viewer', publicId: c.publicId }) : undefined}
        >
          <Body>{c.title}</Body>
          <View style={{ flexDirection: 'row', gap: space(1) }}>
            <StatusBadge status={c.expired ? 'EXPIRED' : c.status} />
          </View>
        </Row>
      ))}

      <Heading>{t('project.videos')}</Heading>
      <View style={{ flexDirection: 'row', gap: space(1), flexWrap: 'wrap' }}>
        <Button label={t('project.upload')} onPress={() => void upload('library')} />
        {canRecordVideo ? (
          <Button label={t('project.record')} kind="secondary" onPress={() => void upload('camera')} />
        ) : null}
      </View>
      {error ? (
        <ErrorText>
          {error.upload ? t('project.uploadStopped', { reason: errorText(error.err, t) }) : errorText(error.err, t)}
        </ErrorText>
      ) : null}
      {running.map((e) => (
        <Row key={e.videoId}>
          <Body>
            {t(e.resumed ? 'project.uploadingResumed' : 'project.uploading', {
              name: e.fileName,
              done: formatBytes(e.uploadedBytes, lng),
              total: formatBytes(e.totalBytes, lng),
            })}
          </Body>
          <ProgressBar
            value={e.totalBytes ? e.uploadedBytes / e.totalBytes : 0}
            label={t('project.uploadLabel', { name: e.fileName })}
          />
        </Row>
      ))}
      {waiting.map((p) => (
        <Row key={p.videoId}>
          <Body>{t('project.interrupted', { name: p.name })}</Body>
          <Body muted>{t('project.pickAgain')}</Body>
          {stopped(live[p.videoId]) ? <Body muted>{errorText(stopped(live[p.videoId]), t)}</Body> : null}
          <View style={{ flexDirection: 'row', gap: space(1) }}>
            <Button label={t('project.resume')} onPress={() => void uploads.resumeAll()} />
            <Button
              label={t('project.discard')}
              kind="secondary"
              onPress={() =>
                void uploads.discard(p.videoId).then(() => setPending((l) => l.filter((x) => x.videoId !== p.videoId)))
              }
            />
          </View>
        </Row>
      ))}
      {videos.loading && !videos.data ? <Loading /> : null}
      {videos.error ? <ErrorText>{errorText(videos.error, t)}</ErrorText> : null}
      {videos.data?.length === 0 ? <Body muted>{t('project.noVideos')}</Body> : null}
      {videos.data?.map((v) => (
        <Row
          key={v.id}
          label={t('project.videoLabel', { title: v.title })}
          onPress={() => nav.push({ name: 'video', videoId: v.id, title: v.title })}
        >
          <Body>{v.title}</Body>
          <StatusBadge status={v.status} />
        </Row>
      ))}
      <Button
        label={t('ui.refresh')}
        kind="secondary"
        onPress={() => {
          arContent.reload();
          videos.reload();
        }}
      />
    </Screen>
  );
}
