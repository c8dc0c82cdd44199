// The page for a code with nothing to show: headline, why, what to do, and a retry where one can help.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Explanation } from './reasons.ts';

export function NothingToShow({ explanation, onRetry }: { explanation: Explanation; onRetry: () => void }) {
  const { t } = useTranslation('viewer');
  const heading = useRef<HTMLHeadingElement>(null);
  // Moves focus to the headline, so a screen reader reads the news first.
  useEffect(() => heading.current?.focus(), [explanation]);
  return (
    <section className="arv-message" aria-labelledby="arv-message-title">
      <h1 id="arv-message-title" ref={heading} tabIndex={-1}>
        {t(`reasons.${explanation.key}.headline`)}
      </h1>
      <p>{t(`reasons.${explanation.key}.detail`)}</p>
      <p>{t(`reasons.${explanation.key}.action`)}</p>
      {explanation.canRetry && (
        <button type="button" className="arv-button arv-button-primary" onClick={onRetry}>
          {t('tryAgain')}
        </button>
      )}
    </section>
  );
}
