// The viewer links of an AR content item with copy buttons, and its QR code to show and download (PNG for print, SVG).
import {
  Anchor,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { notifyError } from '../components/notify.ts';
import { t as translate } from '../i18n/dashboard.ts';
import type { ArContentDetail } from './ar-status.tsx';

const PNG_SIZES = ['512', '1024', '2048'] as const;

/** A safe file name from a title: letters, digits and dashes. */
export function fileNameOf(title: string, ext: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .toLowerCase()
    .slice(0, 60);
  return `${base || 'ar-content'}-qr.${ext}`;
}

function download(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Decoded here rather than fetched: the page's CSP does not allow connecting to data: URLs. */
export function dataUrlToBlob(dataUrl: string): Blob {
  const m = /^data:([^;,]+);base64,(.*)$/.exec(dataUrl);
  if (!m) throw new Error(translate('qr.noImage'));
  const bytes = Uint8Array.from(atob(m[2]!), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type: m[1] });
}

export function QrPanel({ content }: { content: ArContentDetail }) {
  const { t } = useTranslation();
  const [pngSize, setPngSize] = useState<(typeof PNG_SIZES)[number]>('1024');
  const [busy, setBusy] = useState<'png' | 'svg' | null>(null);
  const svg = useQuery({
    queryKey: ['ar-qr', content.id, 'svg'],
    queryFn: () => api.arContent.qr.query({ id: content.id, format: 'svg' }),
    staleTime: Infinity,
  });

  const save = async (format: 'png' | 'svg') => {
    setBusy(format);
    try {
      if (format === 'svg') {
        const qr = svg.data ?? (await api.arContent.qr.query({ id: content.id, format: 'svg' }));
        download(new Blob([qr.svg ?? ''], { type: 'image/svg+xml' }), fileNameOf(content.title, 'svg'));
      } else {
        const qr = await api.arContent.qr.query({ id: content.id, format: 'png', sizePx: Number(pngSize) });
        download(dataUrlToBlob(qr.dataUrl ?? ''), fileNameOf(content.title, 'png'));
      }
    } catch (err) {
      notifyError(err, t('qr.couldNotMake'));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card withBorder>
      <Title order={2} size="h5" mb="sm">
        {t('qr.share')}
      </Title>
      <Stack gap="sm">
        <LinkRow
          id="link-viewer"
          label={t('qr.viewerLink')}
          copyLabel={t('qr.copyWhat.viewer')}
          value={content.links.url}
        />
        <LinkRow
          id="link-app"
          label={t('qr.appLink')}
          copyLabel={t('qr.copyWhat.app')}
          value={content.links.deepLink}
        />
        <Group justify="center" mih={180}>
          {svg.data?.svg ? (
            <img
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.data.svg)}`}
              alt={t('qr.alt', { url: content.links.url })}
              width={180}
              height={180}
              style={{ background: 'white', padding: 4, borderRadius: 6 }}
            />
          ) : svg.isError ? (
            <Text size="sm" c="red" role="alert">
              {t('qr.couldNotLoad')}
            </Text>
          ) : (
            <Loader size="sm" aria-label={t('qr.loading')} />
          )}
        </Group>
        <Stack gap={6}>
          <Text size="sm" fw={500} id="png-size-label">
            {t('qr.pngSize')}
          </Text>
          <SegmentedControl
            aria-labelledby="png-size-label"
            size="xs"
            value={pngSize}
            onChange={(v) => setPngSize(v as typeof pngSize)}
            data={[...PNG_SIZES]}
          />
        </Stack>
        <Stack gap="xs">
          <Button variant="light" fullWidth loading={busy === 'png'} onClick={() => void save('png')}>
            {t('qr.png')}
          </Button>
          <Button variant="light" fullWidth loading={busy === 'svg'} onClick={() => void save('svg')}>
            {t('qr.svg')}
          </Button>
        </Stack>
      </Stack>
    </Card>
  );
}

function LinkRow({ id, label, copyLabel, value }: { id: string; label: string; copyLabel: string; value: string }) {
  const { t } = useTranslation();
  return (
    <div>
      <Text size="xs" c="dimmed" id={id}>
        {label}
      </Text>
      <Group gap="xs" wrap="nowrap" justify="space-between" align="flex-start">
        <div style={{ minWidth: 0, flex: 1, wordBreak: 'break-all' }}>
          {value.startsWith('http') ? (
            <Anchor href={value} target="_blank" rel="noopener noreferrer" size="sm" aria-labelledby={id}>
              <Code>{value}</Code>
            </Anchor>
          ) : (
            <Code aria-labelledby={id}>{value}</Code>
          )}
        </div>
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={copy}
              aria-label={t('qr.copyLabel', { what: copyLabel })}
              style={{ flex: 'none' }}
            >
              {copied ? t('qr.copied') : t('qr.copy')}
            </Button>
          )}
        </CopyButton>
      </Group>
    </div>
  );
}
