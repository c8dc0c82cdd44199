// Web (and any platform without native AR): the AR view is the plain player. ViroReact needs ARKit/ARCore.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArViewProps } from './ar-view-props.ts';
import { Player } from './player.tsx';

export function ArView(props: ArViewProps) {
  const { t } = useTranslation();
  // No AR here: the plain player is the view's stage (the funnel in analytics).
  useEffect(() => props.tracker.stage('fallback', 'no-camera-api'), [props.tracker]);
  return <Player {...props} note={props.note ?? t('viewer.openInApp')} />;
}
