// Web (and any platform without native AR): the AR view is the plain player. ViroReact needs ARKit/ARCore.
import type { ArViewProps } from './ar-view-props.ts';
import { Player } from './player.tsx';

export function ArView(props: ArViewProps) {
  return <Player {...props} note={props.note ?? 'Open this code in the ARVlite app to see the video on your photo.'} />;
}
