// Webhook endpoints of the current company (admins): add, edit, enable/disable, rotate the secret (shown once), send
// a test event, and each endpoint's delivery log with replays.
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@arvlite/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, fieldErrors } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { useCompany } from '../components/use-company.ts';
import { useFormat } from '../i18n/dashboard.ts';

type Endpoint = Awaited<ReturnType<typeof api.webhook.list.query>>['items'][number];

const URL_ERRORS = {
  WEBHOOK_URL_NOT_HTTPS: 'webhooks.errors.notHttps',
  WEBHOOK_URL_FORBIDDEN_ADDRESS: 'webhooks.errors.forbiddenAddress',
  WEBHOOK_URL_INVALID: 'webhooks.errors.invalidUrl',
  WEBHOOK_ENDPOINT_LIMIT: 'webhooks.errors.limit',
};

export function WebhooksPage() {
  const { companyId, can, loading } = useCompany();
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Endpoint | 'new' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['webhooks', companyId],
    queryFn: () => api.webhook.list.query({ companyId }),
    enabled: can('admin'),
  });
  const invalidate = () => qc.invalidateQueries({ queryKey: ['webhooks', companyId] });

  const toggle = useMutation({
    mutationFn: (e: Endpoint) => api.webhook.update.mutate({ id: e.id, enabled: !e.enabled }),
    onSuccess: (e) => (notifySuccess(t(e.enabled ? 'webhooks.enabledNow' : 'webhooks.disabledNow')), invalidate()),
    onError: (e) => notifyError(e, t('webhooks.couldNotSave')),
  });
  const rotate = useMutation({
    mutationFn: (id: string) => api.webhook.rotateSecret.mutate({ id }),
    onSuccess: (r) => (setSecret(r.secret), invalidate()),
    onError: (e) => notifyError(e, t('webhooks.couldNotRotate')),
  });
  const test = useMutation({
    mutationFn: (id: string) => api.webhook.sendTest.mutate({ id }),
    onSuccess: (_r, id) => (
      notifySuccess(t('webhooks.testQueued')),
      setSelected(id),
      qc.invalidateQueries({ queryKey: ['webhook-deliveries', id] })
    ),
    onError: (e) => notifyError(e, t('webhooks.couldNotTest')),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.webhook.delete.mutate({ id }),
    onSuccess: (_r, id) => (notifySuccess(t('webhooks.deleted')), id === selected && setSelected(null), invalidate()),
    onError: (e) => notifyError(e, t('webhooks.couldNotDelete')),
  });

  if (!loading && !can('admin')) {
    return (
      <Alert color="yellow" role="alert" title={t('webhooks.adminsOnly')}>
        {t('webhooks.adminsOnlyText')}
      </Alert>
    );
  }
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1}>{t('webhooks.title')}</Title>
        <Button onClick={() => setEditing('new')}>{t('webhooks.add')}</Button>
      </Group>
      <Text c="dimmed" size="sm">
        {t('webhooks.intro')}
      </Text>
      <Paper withBorder>
        <Table verticalSpacing="sm" aria-label={t('webhooks.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('webhooks.columns.url')}</Table.Th>
              <Table.Th>{t('webhooks.columns.events')}</Table.Th>
              <Table.Th>{t('webhooks.columns.status')}</Table.Th>
              <Table.Th>{t('webhooks.columns.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.items.map((e) => (
              <Table.Tr key={e.id} data-endpoint={e.id}>
                <Table.Td>
                  <Text size="sm" ff="monospace" maw={360} truncate="end">
                    {e.url}
                  </Text>
                  {e.description && (
                    <Text size="xs" c="dimmed">
                      {e.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {e.events.map((ev) => (
                      <Badge key={ev} variant="light" size="sm" tt="none">
                        {ev}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td miw={140}>
                  {e.enabled ? (
                    <Badge color="teal">{t('webhooks.status.enabled')}</Badge>
                  ) : (
                    <Badge color="gray">{t(`webhooks.status.disabled.${e.disabledReason ?? 'MANUAL'}`)}</Badge>
                  )}
                  {e.previousSecretExpiresAt && (
                    <Text size="xs" c="dimmed">
                      {t('webhooks.rotating')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Button size="xs" variant="light" onClick={() => setSelected(e.id)}>
                      {t('webhooks.deliveries')}
                    </Button>
                    <Button size="xs" variant="light" loading={test.isPending} onClick={() => test.mutate(e.id)}>
                      {t('webhooks.sendTest')}
                    </Button>
                    <Button size="xs" variant="default" onClick={() => setEditing(e)}>
                      {t('webhooks.edit')}
                    </Button>
                    <Button size="xs" variant="default" onClick={() => toggle.mutate(e)}>
                      {e.enabled ? t('webhooks.disable') : t('webhooks.enable')}
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => window.confirm(t('webhooks.confirmRotate')) && rotate.mutate(e.id)}
                    >
                      {t('webhooks.rotate')}
                    </Button>
                    <Button
                      size="xs"
                      color="red"
                      variant="subtle"
                      onClick={() => window.confirm(t('webhooks.confirmDelete')) && remove.mutate(e.id)}
                    >
                      {t('webhooks.delete')}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
            {list.isSuccess && list.data.items.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Text ta="center" c="dimmed" py="lg">
                    {t('webhooks.empty')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Paper>
      {selected && <DeliveryLog endpointId={selected} />}
      {editing && (
        <EndpointForm
          companyId={companyId}
          endpoint={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(s) => (setEditing(null), invalidate(), s && setSecret(s))}
        />
      )}
      <Modal opened={secret !== null} onClose={() => setSecret(null)} title={t('webhooks.secretTitle')} size="lg">
        <Stack>
          <Text size="sm">{t('webhooks.secretOnce')}</Text>
          <Code block data-secret>
            {secret}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={secret ?? ''}>
              {({ copied, copy }) => (
                <Button variant="light" onClick={copy}>
                  {copied ? t('webhooks.copied') : t('webhooks.copy')}
                </Button>
              )}
            </CopyButton>
            <Button onClick={() => setSecret(null)}>{t('webhooks.done')}</Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function EndpointForm({
  companyId,
  endpoint,
  onClose,
  onSaved,
}: {
  companyId: string;
  endpoint: Endpoint | null;
  onClose: () => void;
  onSaved: (secret: string | null) => void;
}) {
  const { t } = useTranslation();
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [events, setEvents] = useState<string[]>(endpoint?.events ?? ['video.ready', 'video.failed']);
  const save = useMutation({
    mutationFn: async () => {
      const input = { url, events: events as WebhookEventType[] };
      if (endpoint) {
        await api.webhook.update.mutate({ id: endpoint.id, ...input, description: description || null });
        return null;
      }
      const created = await api.webhook.create.mutate({ companyId, ...input, description: description || undefined });
      return created.secret;
    },
    onSuccess: (secret) => (notifySuccess(t('webhooks.saved')), onSaved(secret)),
    onError: (e) => notifyError(e, t('webhooks.couldNotSave'), URL_ERRORS),
  });
  const errors = save.error ? fieldErrors(save.error) : {};
  return (
    <Modal opened onClose={onClose} title={endpoint ? t('webhooks.editTitle') : t('webhooks.addTitle')} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <TextInput
            label={t('webhooks.url')}
            description={t('webhooks.urlHint')}
            placeholder={t('webhooks.urlPlaceholder')}
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={errors.url}
            required
          />
          <Textarea
            label={t('webhooks.description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            maxLength={500}
            error={errors.description}
            autosize
          />
          <Checkbox.Group label={t('webhooks.events')} value={events} onChange={setEvents} error={errors.events}>
            <Stack gap={6} mt="xs">
              {WEBHOOK_EVENT_TYPES.map((ev) => (
                <Checkbox key={ev} value={ev} label={ev} description={t(`webhooks.eventHelp.${ev}`)} />
              ))}
            </Stack>
          </Checkbox.Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('webhooks.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={events.length === 0}>
              {t('webhooks.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DeliveryLog({ endpointId }: { endpointId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const log = usePagedList({
    queryKey: ['webhook-deliveries', endpointId],
    fetchPage: (cursor) => api.webhook.deliveries.query({ id: endpointId, limit: 20, cursor }),
    pollWhile: (d) => d.status === 'PENDING',
  });
  const replay = useMutation({
    mutationFn: (deliveryId: string) => api.webhook.replay.mutate({ deliveryId }),
    onSuccess: () => (
      notifySuccess(t('webhooks.replayQueued')),
      qc.invalidateQueries({ queryKey: ['webhook-deliveries', endpointId] })
    ),
    onError: (e) => notifyError(e, t('webhooks.couldNotReplay')),
  });
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={2}>{t('webhooks.deliveries')}</Title>
        <Button
          size="xs"
          variant="default"
          onClick={() => qc.invalidateQueries({ queryKey: ['webhook-deliveries', endpointId] })}
        >
          {t('webhooks.refresh')}
        </Button>
      </Group>
      <PagedTable
        list={log}
        aria-label={t('webhooks.deliveries')}
        verticalSpacing="xs"
        highlightOnHover={false}
        columns={[
          t('webhooks.log.when'),
          t('webhooks.log.event'),
          t('webhooks.log.status'),
          t('webhooks.log.attempts'),
          t('webhooks.log.actions'),
        ]}
        empty={t('webhooks.log.empty')}
        moreLabel={t('webhooks.log.older')}
        row={(d) => (
          <Table.Tr key={d.id} data-delivery={d.id}>
            <Table.Td>
              <Text size="sm">{f.dateTime(d.createdAt)}</Text>
              <Text size="xs" c="dimmed">
                {t('webhooks.log.sourceAndSequence', {
                  source: t(`webhooks.source.${d.source}`),
                  sequence: d.sequence,
                })}
              </Text>
            </Table.Td>
            <Table.Td>
              <Code>{d.eventType}</Code>
            </Table.Td>
            <Table.Td>
              <Badge color={STATUS_COLOR[d.status]}>{t(`webhooks.deliveryStatus.${d.status}`)}</Badge>
              {d.nextAttemptAt && (
                <Text size="xs" c="dimmed">
                  {t('webhooks.log.nextAttempt', { when: f.dateTime(d.nextAttemptAt) })}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Stack gap={4}>
                {d.recentAttempts.map((a) => (
                  <div key={a.attempt}>
                    <Text size="xs">
                      {t('webhooks.log.attempt', {
                        n: a.attempt,
                        result: a.statusCode ?? a.error ?? '',
                        ms: a.durationMs,
                      })}
                    </Text>
                    {a.responseExcerpt && (
                      <Text size="xs" ff="monospace" c="dimmed" lineClamp={2} maw={420}>
                        {a.responseExcerpt}
                      </Text>
                    )}
                  </div>
                ))}
              </Stack>
            </Table.Td>
            <Table.Td>
              {d.status !== 'PENDING' && (
                <Button size="xs" variant="light" onClick={() => replay.mutate(d.id)}>
                  {t('webhooks.replay')}
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        )}
      />
    </Stack>
  );
}

const STATUS_COLOR = { PENDING: 'blue', SUCCEEDED: 'teal', FAILED: 'red', CANCELLED: 'gray' } as const;
