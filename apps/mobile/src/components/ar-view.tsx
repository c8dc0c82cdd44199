// Web (and any platform without native AR): the AR view is the plain player. ViroReact needs ARKit/ARCore.
import { useTranslation } from 'react-i18next';
import type { ArViewProps } from './ar-view-props.ts';
import { Player } from './player.tsx';

export function ArView(props: ArViewProps) {
  const { t } = useTranslation();
  return <Player {...props} note={props.note ?? t('viewer.openInApp')} />;
}
