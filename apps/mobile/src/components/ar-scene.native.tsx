// The AR scene: the normalized marker image is an image target of its printed width; the video lies on it. Sound
// starts with the first tap (an iOS rule); the video pauses while the photo is out of view and resumes when found.
import {
  ViroARImageMarker,
  ViroARScene,
  ViroARSceneNavigator,
  ViroARTrackingTargets,
  ViroMaterials,
  ViroVideo,
  type ViroAnchor,
} from '@reactvision/react-viro';
import { useEffect, useMemo, useRef, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { Image, Pressable, StyleSheet, Text, View } from 'react-native';
import { Button } from '../ui/kit.tsx';
import { colors, space } from '../ui/theme.ts';
import type { ArViewProps } from './ar-view-props.ts';

/** When the manifest has no printed width: a 15 cm photo, the most common print. */
const DEFAULT_WIDTH_M = 0.15;

interface SceneProps {
  target: string;
  widthM: number;
  heightM: number;
  videoUri: string;
  playing: boolean;
  muted: boolean;
  loop: boolean;
  /** A material keying out the video's chroma-key colour (ViroReact's chroma-key filter), if it has one. */
  material: string | null;
  onTracking: (found: boolean) => void;
  onEnd: () => void;
}

function MarkerScene({ sceneNavigator }: { sceneNavigator: { viroAppProps: SceneProps } }) {
  const p = sceneNavigator.viroAppProps;
  // ARKit reports "notTracking" (Android "lastKnownPose") while the image is out of view, before removing it.
  const onUpdate = (a: ViroAnchor) => p.onTracking(!a.trackingMethod || a.trackingMethod === 'tracking');
  return (
    <ViroARScene>
      <ViroARImageMarker
        target={p.target}
        onAnchorFound={() => p.onTracking(true)}
        onAnchorUpdated={onUpdate}
        onAnchorRemoved={() => p.onTracking(false)}
      >
        <ViroVideo
          source={{ uri: p.videoUri }}
          width={p.widthM}
          height={p.heightM}
          rotation={[-90, 0, 0]}
          paused={!p.playing}
          muted={p.muted}
          loop={p.loop}
          materials={p.material ? [p.material] : undefined}
          onFinish={p.onEnd}
        />
      </ViroARImageMarker>
    </ViroARScene>
  );
}

export default function ArScene({
  manifest,
  markerUri,
  videoUri,
  tracker,
  onClose,
  note,
}: ArViewProps & { markerUri: string }) {
  const { t } = useTranslation();
  // The AR session runs on the camera from here: the view's camera stage (the funnel in analytics).
  useEffect(() => tracker.stage('camera'), [tracker]);
  const [started, setStarted] = useState(false);
  const [found, setFound] = useState(false);
  const [aspect, setAspect] = useState<number | null>(null);
  const target = useMemo(
    () => `arvlite-${manifest.version}-${Math.random().toString(36).slice(2, 8)}`,
    [manifest.version],
  );
  const widthM = (manifest.marker.widthMm ?? DEFAULT_WIDTH_M * 1000) / 1000;

  useEffect(() => {
    Image.getSize(
      markerUri,
      (w, h) => setAspect(h / w),
      () => setAspect(1),
    );
  }, [markerUri]);

  useEffect(() => {
    if (aspect === null) return;
    ViroARTrackingTargets.createTargets({
      [target]: { source: { uri: markerUri }, orientation: 'Up', physicalWidth: widthM },
    });
    return () => ViroARTrackingTargets.deleteTarget(target);
  }, [aspect, target, markerUri, widthM]);

  // ViroReact keys out pixels near one colour (its own fixed tolerance: the manifest's tolerance and softness are the
  // web shader's only). Materials are global by name, so the name carries the colour.
  // Registered before the scene first names it.
  const keyColor = manifest.video.chromaKey?.color ?? null;
  const material = useMemo(() => {
    if (!keyColor) return null;
    const name = `arvlite-chroma-${keyColor.slice(1).toLowerCase()}`;
    ViroMaterials.createMaterials({
      [name]: { chromaKeyFilteringColor: keyColor, lightingModel: 'Constant', blendMode: 'Alpha' },
    });
    return name;
  }, [keyColor]);

  const playing = started && found;
  useEffect(() => tracker.playing(playing), [playing, tracker]);

  // The scene gets callbacks through viroAppProps; refs keep them current without rebuilding the scene.
  const onTracking = useRef((f: boolean) => {
    tracker.tracking(f);
    setFound(f);
  });
  const onEnd = useRef(() => tracker.ended());

  if (aspect === null) return null;
  const sceneProps: SceneProps = {
    target,
    widthM,
    heightM: widthM * aspect,
    videoUri,
    playing,
    muted: manifest.playback.muted,
    loop: manifest.playback.loop,
    material,
    onTracking: (f) => onTracking.current(f),
    onEnd: () => onEnd.current(),
  };

  return (
    <View style={{ flex: 1 }}>
      <ViroARSceneNavigator
        autofocus
        initialScene={{ scene: MarkerScene as unknown as () => JSX.Element }}
        viroAppProps={sceneProps}
        style={{ flex: 1 }}
      />
      {!started ? (
        <Pressable
          role="button"
          aria-label={t('viewer.startWithSound')}
          onPress={() => setStarted(true)}
          style={styles.cover}
        >
          <Text style={styles.hint}>{t('viewer.tapThenPoint')}</Text>
        </Pressable>
      ) : !found ? (
        <View style={styles.cover} pointerEvents="none">
          <Text style={styles.hint}>{t('viewer.pointAtPhoto')}</Text>
        </View>
      ) : null}
      <View style={styles.top} pointerEvents="box-none">
        <Button label={t('ui.close')} kind="secondary" onPress={onClose} />
        {note ? <Text style={styles.note}>{note}</Text> : null}
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  cover: {
    position: 'absolute',
    top: 0,
    left: 0,
    right: 0,
    bottom: 0,
    alignItems: 'center',
    justifyContent: 'flex-end',
    paddingBottom: space(8),
  },
  hint: {
    color: 'white',
    fontSize: 17,
    fontWeight: '600',
    backgroundColor: 'rgba(0,0,0,0.55)',
    paddingHorizontal: space(2),
    paddingVertical: space(1),
    borderRadius: 999,
  },
  top: {
    position: 'absolute',
    top: space(6),
    left: space(2),
    right: space(2),
    flexDirection: 'row',
    gap: space(1.5),
    alignItems: 'center',
  },
  note: { color: colors.text, fontSize: 13, flex: 1 },
});
