import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';

const STATUS_COLOR: Record<string, string> = {
  AWAITING_UPLOAD: 'gray',
  UPLOADED: 'blue',
  PROCESSING: 'yellow',
  READY: 'teal',
  FAILED: 'red',
};

export const SETTLED = new Set(['READY', 'FAILED']);

export function VideoStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light" data-status={status}>
      {t(`videoStatus.${status}`, { defaultValue: status })}
    </Badge>
  );
}
