import { Badge } from '@mantine/core';

export const STATUS_LABEL: Record<string, { label: string; color: string }> = {
  AWAITING_UPLOAD: { label: 'Waiting for upload', color: 'gray' },
  UPLOADED: { label: 'Uploaded', color: 'blue' },
  PROCESSING: { label: 'Processing', color: 'yellow' },
  READY: { label: 'Ready', color: 'teal' },
  FAILED: { label: 'Failed', color: 'red' },
};

export const SETTLED = new Set(['READY', 'FAILED']);

export function VideoStatusBadge({ status }: { status: string }) {
  const s = STATUS_LABEL[status] ?? { label: status, color: 'gray' };
  return (
    <Badge color={s.color} variant="light" data-status={status}>
      {s.label}
    </Badge>
  );
}
