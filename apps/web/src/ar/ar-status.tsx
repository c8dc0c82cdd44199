// Badges and colours for AR content status and marker ratings, and the types the AR pages share.
import { Badge } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, type RouterOutputs } from '../api.ts';

export type ArContentDetail = RouterOutputs['arContent']['byId'];
export type ArContentItem = RouterOutputs['arContent']['list']['items'][number];

const STATUS: Record<string, { label: string; color: string }> = {
  DRAFT: { label: 'Draft', color: 'gray' },
  MARKER_PROCESSING: { label: 'Processing marker', color: 'yellow' },
  READY: { label: 'Ready', color: 'teal' },
  ARCHIVED: { label: 'Archived', color: 'gray' },
};

export function ArStatusBadge({ status }: { status: string }) {
  const s = STATUS[status] ?? { label: status, color: 'gray' };
  return (
    <Badge color={s.color} variant="light" data-status={status}>
      {s.label}
    </Badge>
  );
}

export const RATING: Record<string, { label: string; color: string }> = {
  good: { label: 'Good', color: 'teal' },
  fair: { label: 'Fair', color: 'yellow' },
  poor: { label: 'Poor', color: 'orange' },
  unusable: { label: 'Unusable', color: 'red' },
};

export function RatingBadge({ rating, score }: { rating: string | null; score?: number | null }) {
  if (!rating) return null;
  const r = RATING[rating] ?? { label: rating, color: 'gray' };
  return (
    <Badge color={r.color} variant="light" data-rating={rating}>
      {r.label}
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
