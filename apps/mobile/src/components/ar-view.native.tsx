// Devices: the photo is an ARKit/ARCore image target (ViroReact) and the video plays on it. Falls back to the plain
// player when the device cannot do AR, when the build has no ViroReact native code (Expo Go), or when the scene fails.
import { Component, lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Loading } from '../ui/kit.tsx';
import type { ArViewProps } from './ar-view-props.ts';
import { Player } from './player.tsx';

const ArScene = lazy(() => import('./ar-scene.native.tsx'));

async function arSupported(): Promise<boolean> {
  try {
    const viro = await import('@reactvision/react-viro');
    return (await viro.isARSupportedOnDevice()).isARSupported;
  } catch {
    return false;
  }
}

class Fallback extends Component<
  { fallback: ReactNode; children: ReactNode; onFailed: () => void },
  { failed: boolean }
> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch() {
    this.props.onFailed();
  }
  override render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

export function ArView(props: ArViewProps) {
  const { t } = useTranslation();
  const [support, setSupport] = useState<'checking' | 'yes' | 'no'>('checking');
  useEffect(() => {
    let live = true;
    void arSupported().then((ok) => live && setSupport(ok ? 'yes' : 'no'));
    return () => {
      live = false;
    };
  }, []);

  // The plain player, and why, is a stage of the view (the funnel in analytics).
  const { tracker, markerUri } = props;
  useEffect(() => {
    if (!markerUri) tracker.stage('fallback', 'target');
    else if (support === 'no') tracker.stage('fallback', 'no-camera-api');
  }, [tracker, markerUri, support]);

  const player = (note: string) => <Player {...props} note={props.note ?? note} />;
  if (!props.markerUri) return player(t('viewer.noMarker'));
  if (support === 'checking') return <Loading label={t('viewer.startingCamera')} />;
  if (support === 'no') return player(t('viewer.noAr'));
  return (
    <Fallback fallback={player(t('viewer.arFailed'))} onFailed={() => tracker.stage('fallback', 'failed')}>
      <Suspense fallback={<Loading label={t('viewer.startingAr')} />}>
        <ArScene {...props} markerUri={props.markerUri} />
      </Suspense>
    </Fallback>
  );
}
