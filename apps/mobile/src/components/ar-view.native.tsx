// Devices: the photo is an ARKit/ARCore image target (ViroReact) and the video plays on it. Falls back to the plain
// player when the device cannot do AR, when the build has no ViroReact native code (Expo Go), or when the scene fails.
import { Component, lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
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

class Fallback extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}

export function ArView(props: ArViewProps) {
  const [support, setSupport] = useState<'checking' | 'yes' | 'no'>('checking');
  useEffect(() => {
    let live = true;
    void arSupported().then((ok) => live && setSupport(ok ? 'yes' : 'no'));
    return () => {
      live = false;
    };
  }, []);

  const player = (note: string) => <Player {...props} note={props.note ?? note} />;
  if (!props.markerUri) return player('This photo has no AR marker yet: playing the video.');
  if (support === 'checking') return <Loading label="Starting the camera" />;
  if (support === 'no') return player('AR is not available on this device: playing the video.');
  return (
    <Fallback fallback={player('AR could not start: playing the video.')}>
      <Suspense fallback={<Loading label="Starting AR" />}>
        <ArScene {...props} markerUri={props.markerUri} />
      </Suspense>
    </Fallback>
  );
}
