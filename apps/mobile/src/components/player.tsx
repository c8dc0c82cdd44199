// The plain full-screen player (expo-video): the fallback wherever AR is unavailable, and the web's only view.
// Sound needs a first tap (iOS and browsers refuse unmuted autoplay); a manifest asking for muted autoplay starts
// on its own.
import { useEventListener } from 'expo';
import { useVideoPlayer, VideoView } from 'expo-video';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Image, Pressable, StyleSheet, Text, View } from 'react-native';
import { Button } from '../ui/kit.tsx';
import { colors, space } from '../ui/theme.ts';
import type { ArViewProps } from './ar-view-props.ts';

export function Player({ manifest, videoUri, tracker, onClose, note }: ArViewProps) {
  const { t } = useTranslation();
  const autoplay = manifest.playback.autoplay && manifest.playback.muted;
  const [started, setStarted] = useState(autoplay);
  const player = useVideoPlayer({ uri: videoUri }, (p) => {
    p.loop = manifest.playback.loop;
    p.muted = manifest.playback.muted;
    if (autoplay) p.play();
  });
  useEventListener(player, 'playingChange', ({ isPlaying }) => tracker.playing(isPlaying));
  useEventListener(player, 'playToEnd', () => tracker.ended());

  const start = () => {
    player.muted = manifest.playback.muted;
    player.play();
    setStarted(true);
  };

  return (
    <View style={styles.root}>
      <VideoView
        player={player}
        style={styles.video}
        contentFit="contain"
        nativeControls={started}
        fullscreenOptions={{ enable: true }}
      />
      {!started ? (
        <Pressable role="button" aria-label={t('viewer.playWithSound')} onPress={start} style={styles.cover}>
          {manifest.video.posterUrl ? (
            <Image source={{ uri: manifest.video.posterUrl }} style={StyleSheet.absoluteFill} resizeMode="contain" />
          ) : null}
          <View style={styles.playBadge}>
            <Text style={styles.playText}>{t('viewer.tapToPlay')}</Text>
          </View>
        </Pressable>
      ) : null}
      <View style={styles.top} pointerEvents="box-none">
        <Button label={t('ui.close')} kind="secondary" onPress={onClose} />
        <View style={{ flex: 1 }}>
          {manifest.title ? (
            <Text role="heading" aria-level={1} style={styles.title} numberOfLines={1}>
              {manifest.title}
            </Text>
          ) : null}
          {note ? <Text style={styles.note}>{note}</Text> : null}
        </View>
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  root: { flex: 1, backgroundColor: 'black' },
  // Width and height, not edges: on the web this is a <video>, which absolute edges do not stretch.
  video: { position: 'absolute', top: 0, left: 0, width: '100%', height: '100%' },
  cover: { position: 'absolute', top: 0, left: 0, right: 0, bottom: 0, alignItems: 'center', justifyContent: 'center' },
  playBadge: {
    backgroundColor: 'rgba(0,0,0,0.6)',
    borderRadius: 999,
    paddingHorizontal: space(3),
    paddingVertical: space(1.5),
  },
  playText: { color: 'white', fontSize: 20, fontWeight: '700' },
  top: {
    position: 'absolute',
    top: space(2),
    left: space(2),
    right: space(2),
    flexDirection: 'row',
    gap: space(1.5),
    alignItems: 'center',
  },
  title: { color: colors.text, fontSize: 18, fontWeight: '700' },
  note: { color: colors.muted, fontSize: 13 },
});
