// One video's processing, live over SSE (video.onStatus) until READY or FAILED, then a preview.
import { parseStepName, type Language, type VideoStatusEvent } from '@arvlite/contract';
import { formatPercent } from '@arvlite/i18n';
import type { TFunction } from 'i18next';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { View } from 'react-native';
import { Player } from '../components/player.tsx';
import { tDynamic } from '../i18n/index.ts';
import { errorText } from '../lib/api-errors.ts';
import { useNavigation } from '../navigation.ts';
import { useServices } from '../services-context.ts';
import { Body, Button, ErrorText, Loading, ProgressBar, Row, Screen, StatusBadge } from '../ui/kit.tsx';
import { space } from '../ui/theme.ts';
import { useAsync } from '../ui/use-async.ts';
import { parseManifest } from '../viewer/manifest.ts';
import { WatchTracker } from '../viewer/watch-tracker.ts';

type StatusEvent = VideoStatusEvent;

function stepLabel(name: string, t: TFunction): string {
  const step = parseStepName(name);
  if (!step) return name;
  return step.rung !== null ? t('video.steps.rendition', { name: step.rung }) : tDynamic(t, `video.steps.${step.kind}`);
}

/** Why processing failed, from the video's failure code (the server's own message is a technical English detail). */
function failureText(code: string, t: TFunction): string {
  return tDynamic(t, [`video.failure.${code}`, 'video.failure.other']);
}

export function VideoScreen({ videoId, title }: { videoId: string; title: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language as Language;
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
          <Body muted>{t('video.processing', { percent: formatPercent(status.progress / 100, lng) })}</Body>
          <ProgressBar value={status.progress / 100} label={t('video.processingLabel')} />
          {status.steps.map((s) => (
            <Row key={s.name}>
              <Body>
                {t(s.status === 'running' && s.progress ? 'video.stepWithProgress' : 'video.step', {
                  step: stepLabel(s.name, t),
                  status: tDynamic(t, `video.stepStatus.${s.status}`, { defaultValue: s.status }),
                  percent: formatPercent(s.progress / 100, lng),
                })}
              </Body>
            </Row>
          ))}
        </View>
      ) : null}
      {detail.data?.failure ? <ErrorText>{failureText(detail.data.failure.code, t)}</ErrorText> : null}
      {streamError ? <ErrorText>{t('video.liveStopped', { reason: errorText(streamError, t) })}</ErrorText> : null}
      {detail.error ? <ErrorText>{errorText(detail.error, t)}</ErrorText> : null}
      {manifest ? <Button label={t('video.preview')} onPress={() => setPreview(true)} /> : null}
    </Screen>
  );
}
