// One project: its AR content (with status; a ready item opens in the viewer), its videos (with status), and video
// uploads from the phone with progress, resumable after the app was backgrounded or closed.
import { useEffect, useState } from 'react';
import { View } from 'react-native';
import { errorMessage } from '../lib/api-errors.ts';
import { useNavigation } from '../navigation.ts';
import type { PendingUpload, UploadEvent } from '../operator/upload-queue.ts';
import { canRecordVideo, pickVideo } from '../platform/video-files';
import { useServices } from '../services-context.ts';
import { Body, Button, ErrorText, Heading, Loading, ProgressBar, Row, Screen, StatusBadge } from '../ui/kit.tsx';
import { space } from '../ui/theme.ts';
import { useAsync } from '../ui/use-async.ts';

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function ProjectScreen({ projectId, projectName }: { projectId: string; projectName: string }) {
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
  const [error, setError] = useState<string | null>(null);

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
      await run.catch((err: unknown) =>
        setError(`The upload stopped: ${errorMessage(err)}. It resumes when the network is back.`),
      );
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const running = Object.values(live).filter((e) => e.phase === 'uploading');
  const waiting = pending.filter((p) => live[p.videoId]?.phase !== 'uploading');

  return (
    <Screen title={projectName} onBack={nav.back}>
      <Heading>AR content</Heading>
      {arContent.loading && !arContent.data ? <Loading /> : null}
      {arContent.error ? <ErrorText>{errorMessage(arContent.error)}</ErrorText> : null}
      {arContent.data?.length === 0 ? (
        <Body muted>No AR content yet. Create it in the dashboard: a photo, its videos and a QR code.</Body>
      ) : null}
      {arContent.data?.map((c) => (
        <Row
          key={c.id}
          testID={`ar-content-${c.id}`}
          label={`AR content ${c.title}`}
          onPress={c.status === 'READY' ? () => nav.push({ name: 'viewer', publicId: c.publicId }) : undefined}
        >
          <Body>{c.title}</Body>
          <View style={{ flexDirection: 'row', gap: space(1) }}>
            <StatusBadge status={c.expired ? 'EXPIRED' : c.status} />
          </View>
        </Row>
      ))}

      <Heading>Videos</Heading>
      <View style={{ flexDirection: 'row', gap: space(1), flexWrap: 'wrap' }}>
        <Button label="Upload a video" onPress={() => void upload('library')} />
        {canRecordVideo ? (
          <Button label="Record a video" kind="secondary" onPress={() => void upload('camera')} />
        ) : null}
      </View>
      {error ? <ErrorText>{error}</ErrorText> : null}
      {running.map((e) => (
        <Row key={e.videoId}>
          <Body>
            Uploading {e.fileName}
            {e.resumed ? ' (resumed)' : ''}: {mib(e.uploadedBytes)} of {mib(e.totalBytes)}
          </Body>
          <ProgressBar value={e.totalBytes ? e.uploadedBytes / e.totalBytes : 0} label={`Upload of ${e.fileName}`} />
        </Row>
      ))}
      {waiting.map((p) => (
        <Row key={p.videoId}>
          <Body>Interrupted upload: {p.name}</Body>
          <Body muted>Pick the same file again to continue where it stopped.</Body>
          {live[p.videoId]?.message ? <Body muted>{live[p.videoId]!.message}</Body> : null}
          <View style={{ flexDirection: 'row', gap: space(1) }}>
            <Button label="Resume" onPress={() => void uploads.resumeAll()} />
            <Button
              label="Discard"
              kind="secondary"
              onPress={() =>
                void uploads.discard(p.videoId).then(() => setPending((l) => l.filter((x) => x.videoId !== p.videoId)))
              }
            />
          </View>
        </Row>
      ))}
      {videos.loading && !videos.data ? <Loading /> : null}
      {videos.error ? <ErrorText>{errorMessage(videos.error)}</ErrorText> : null}
      {videos.data?.length === 0 ? <Body muted>No videos yet.</Body> : null}
      {videos.data?.map((v) => (
        <Row
          key={v.id}
          label={`Video ${v.title}`}
          onPress={() => nav.push({ name: 'video', videoId: v.id, title: v.title })}
        >
          <Body>{v.title}</Body>
          <StatusBadge status={v.status} />
        </Row>
      ))}
      <Button
        label="Refresh"
        kind="secondary"
        onPress={() => {
          arContent.reload();
          videos.reload();
        }}
      />
    </Screen>
  );
}
