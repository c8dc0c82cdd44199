// Badges and colours for AR content status and measured marker detection, and the types the AR pages share.
import { POOR_DETECTION_SCORE } from '@arvlite/client';
import { Badge } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type RouterOutputs } from '../api.ts';

export type ArContentDetail = RouterOutputs['arContent']['byId'];
export type ArContentItem = RouterOutputs['arContent']['list']['items'][number];

const STATUS_COLOR: Record<string, string> = {
  DRAFT: 'gray',
  MARKER_PROCESSING: 'yellow',
  READY: 'teal',
  ARCHIVED: 'gray',
};

export function ArStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light" data-status={status}>
      {t(`arStatus.${status}`, { defaultValue: status })}
    </Badge>
  );
}

/** The colour of a measured detection score (markerDetectionScore, 0–100); orange or red: editors are told it is poor. */
export function detectionColor(score: number): string {
  if (score >= 70) return 'teal';
  if (score >= POOR_DETECTION_SCORE) return 'yellow';
  return score > 0 ? 'orange' : 'red';
}

/** The measured detection score of an item's published marker, as a badge; nothing until it is measured. */
export function DetectionScoreBadge({ score }: { score: number | null }) {
  const { t } = useTranslation();
  if (score === null) return null;
  return (
    <Badge color={detectionColor(score)} variant="light" data-detection-score={score}>
      {t('arList.detectionScore', { score })}
    </Badge>
  );
}

/** The company's time zone, which schedules and calendars follow (UTC until known). */
export function useCompanyTimeZone(companyId: string): string {
  const company = useQuery({
    queryKey: ['company', companyId],
    queryFn: () => api.company.byId.query({ id: companyId }),
    enabled: Boolean(companyId),
  });
  return company.data?.timezone || 'UTC';
}
