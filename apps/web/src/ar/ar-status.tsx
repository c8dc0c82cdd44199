// Badges and colours for AR content status and marker ratings, and the types the AR pages share.
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

/** Marker ratings: each one's colour; its name is `rating.<rating>` in the catalogs. */
export const RATING_COLOR: Record<string, string> = {
  good: 'teal',
  fair: 'yellow',
  poor: 'orange',
  unusable: 'red',
};

export function RatingBadge({ rating, score }: { rating: string | null; score?: number | null }) {
  const { t } = useTranslation();
  if (!rating) return null;
  return (
    <Badge color={RATING_COLOR[rating] ?? 'gray'} variant="light" data-rating={rating}>
      {t(`rating.${rating}`, { defaultValue: rating })}
      {typeof score === 'number' ? ` · ${score}` : ''}
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
