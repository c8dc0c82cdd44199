// Friendly screens for the typed reasons a code shows nothing, and for being offline with nothing cached.
import type { UnavailableReason } from '../viewer/manifest.ts';
import { Body, Button, Heading, Screen } from '../ui/kit.tsx';

const COPY: Record<UnavailableReason, { title: string; text: string; retry: boolean }> = {
  NOT_FOUND: {
    title: 'We don’t know this code',
    text: 'This code does not lead to a video. Check that you scanned the code printed with your photo, or ask whoever gave it to you.',
    retry: false,
  },
  EXPIRED: {
    title: 'This video has expired',
    text: 'The video for this photo was available for a limited time, and that time is over. The sender can renew it.',
    retry: false,
  },
  MARKER_PROCESSING: {
    title: 'Almost ready',
    text: 'This photo is still being prepared for AR. It usually takes a minute; try again shortly.',
    retry: true,
  },
  NO_PLAYABLE_VIDEO: {
    title: 'No video to show right now',
    text: 'There is no video for this photo at the moment. It may still be processing, or be scheduled for a later date.',
    retry: true,
  },
  UNAVAILABLE: {
    title: 'Not available',
    text: 'This code cannot be shown right now. Updating the app may help.',
    retry: true,
  },
};

export function ReasonView({
  reason,
  onRetry,
  onHome,
}: {
  reason: UnavailableReason;
  onRetry: () => void;
  onHome: () => void;
}) {
  const copy = COPY[reason];
  return (
    <Screen>
      <Heading level={1}>{copy.title}</Heading>
      <Body testID={`reason-${reason}`}>{copy.text}</Body>
      {copy.retry ? <Button label="Try again" onPress={onRetry} /> : null}
      <Button label="Back to start" kind="secondary" onPress={onHome} />
    </Screen>
  );
}

export function OfflineView({ stale, onRetry, onHome }: { stale: boolean; onRetry: () => void; onHome: () => void }) {
  return (
    <Screen>
      <Heading level={1}>You are offline</Heading>
      <Body testID="reason-OFFLINE">
        {stale
          ? 'The video saved for this photo is out of date. Connect to the internet once to get the current one.'
          : 'Connect to the internet to open this code the first time. After that it also works offline.'}
      </Body>
      <Button label="Try again" onPress={onRetry} />
      <Button label="Back to start" kind="secondary" onPress={onHome} />
    </Screen>
  );
}
