// One video's processing, live over SSE (video.onStatus) until READY or FAILED, then a preview.
import { useEffect, useMemo, useState } from 'react';
import { View } from 'react-native';
import type { RouterOutputs } from '@arvlite/client';
import { Player } from '../components/player.tsx';
import { errorMessage } from '../lib/api-errors.ts';
import { useNavigation } from '../navigation.ts';
import { useServices } from '../services-context.ts';
import { Body, Button, ErrorText, Loading, ProgressBar, Row, Screen, StatusBadge } from '../ui/kit.tsx';
import { space } from '../ui/theme.ts';
import { useAsync } from '../ui/use-async.ts';
import { parseManifest } from '../viewer/manifest.ts';
import { WatchTracker } from '../viewer/watch-tracker.ts';

type StatusEvent = RouterOutputs['video']['onStatus'] extends AsyncIterable<infer U> ? U : never;

const STEP_LABELS: Record<string, string> = {
  probe: 'Inspect the file',
  playable: 'Make it playable',
  images: 'Poster and storyboard',
  analysis: 'Analysis',
  finalize: 'Finish',
};
const stepLabel = (name: string) =>
  name.startsWith('rendition:') ? `Rendition ${name.slice('rendition:'.length)}` : (STEP_LABELS[name] ?? name);

export function VideoScreen({ videoId, title }: { videoId: string; title: string }) {
  const nav = useNavigation();
  const { client } = useServices();
  const [status, setStatus] = useState<StatusEvent | null>(null);
  const [streamError, setStreamError] = useState<unknown>(null);
  const [preview, setPreview] = useState(false);
  const detail = useAsync(() => client.video.byId.query({ id: videoId }), [client, videoId]);

  useEffect(() => {
    const sub = client.video.onStatus.subscribe({ id: videoId }, { onData: setStatus, onError: setStreamError });
    return () => sub.unsubscribe();
  }, [client, videoId]);

  const current = status?.status ?? detail.data?.status;
  const { reload } = detail;
  useEffect(() => {
    if (current === 'READY' || current === 'FAILED') reload();
  }, [current, reload]);

  const playback = detail.data?.playback;
  const tracker = useMemo(() => new WatchTracker(), []);
  const manifest = useMemo(
    () =>
      playback
        ? parseManifest({
            version: 0,
            content: { title },
            video: { mp4Url: playback.mp4Url, hlsUrl: playback.hlsUrl, posterUrl: playback.posterUrl },
            playback: { autoplay: false, loop: false, muted: false },
          })
        : null,
    [playback, title],
  );

  if (preview && manifest) {
    return (
      <Player
        manifest={manifest}
        videoUri={manifest.video.mp4Url ?? manifest.video.hlsUrl!}
        markerUri={null}
        tracker={tracker}
        onClose={() => setPreview(false)}
      />
    );
  }
  return (
    <Screen title={title} onBack={nav.back}>
      {!current ? <Loading /> : <StatusBadge status={current} />}
      {status ? (
        <View style={{ gap: space(1) }}>
          <Body muted>Processing: {status.progress}%</Body>
          <ProgressBar value={status.progress / 100} label="Processing" />
          {status.steps.map((s) => (
            <Row key={s.name}>
              <Body>
                {stepLabel(s.name)}: {s.status}
                {s.status === 'running' && s.progress ? ` (${s.progress}%)` : ''}
              </Body>
            </Row>
          ))}
        </View>
      ) : null}
      {detail.data?.failure ? <ErrorText>{detail.data.failure.message}</ErrorText> : null}
      {streamError ? <ErrorText>Live status stopped: {errorMessage(streamError)}</ErrorText> : null}
      {detail.error ? <ErrorText>{errorMessage(detail.error)}</ErrorText> : null}
      {manifest ? <Button label="Preview" onPress={() => setPreview(true)} /> : null}
    </Screen>
  );
}
