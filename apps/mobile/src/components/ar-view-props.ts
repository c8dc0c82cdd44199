// What every implementation of the AR view (device, web fallback) is given.
import type { ViewerManifest } from '../viewer/manifest.ts';
import type { WatchTracker } from '../viewer/watch-tracker.ts';

export interface ArViewProps {
  manifest: ViewerManifest;
  /** The marker image (local file when cached); null when the manifest has none. */
  markerUri: string | null;
  videoUri: string;
  tracker: WatchTracker;
  onClose: () => void;
  note?: string;
}
