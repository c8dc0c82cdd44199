// Friendly screens for the typed reasons a code shows nothing, and for being offline with nothing cached; a visitor
// can change their language here (they usually arrive from a scan, not through the start screen).
import { useTranslation } from 'react-i18next';
import type { UnavailableReason } from '../viewer/manifest.ts';
import { Body, Button, Heading, Screen } from '../ui/kit.tsx';
import { LanguageSwitch } from '../ui/language-switch.tsx';

/** Whether trying again can help (the texts are in the catalogs under `reason.<REASON>`). */
const RETRY: Record<UnavailableReason, boolean> = {
  NOT_FOUND: false,
  COMPANY_SUSPENDED: true,
  EXPIRED: false,
  MARKER_PROCESSING: true,
  NO_PLAYABLE_VIDEO: true,
  UNAVAILABLE: true,
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
  const { t } = useTranslation();
  return (
    <Screen>
      <Heading level={1}>{t(`reason.${reason}.title`)}</Heading>
      <Body testID={`reason-${reason}`}>{t(`reason.${reason}.text`)}</Body>
      {RETRY[reason] ? <Button label={t('ui.tryAgain')} onPress={onRetry} /> : null}
      <Button label={t('ui.backToStart')} kind="secondary" onPress={onHome} />
      <LanguageSwitch />
    </Screen>
  );
}

export function OfflineView({ stale, onRetry, onHome }: { stale: boolean; onRetry: () => void; onHome: () => void }) {
  const { t } = useTranslation();
  return (
    <Screen>
      <Heading level={1}>{t('reason.offline.title')}</Heading>
      <Body testID="reason-OFFLINE">{stale ? t('reason.offline.stale') : t('reason.offline.firstTime')}</Body>
      <Button label={t('ui.tryAgain')} onPress={onRetry} />
      <Button label={t('ui.backToStart')} kind="secondary" onPress={onHome} />
      <LanguageSwitch />
    </Screen>
  );
}
