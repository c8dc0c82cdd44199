// API keys of the current company (admins): the list, a new key (shown once, right after creating it), and revoking.
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import {
  API_KEY_NAME_MAX,
  API_KEY_ROLES,
  localDateKey,
  nextLocalMidnight,
  parseLocalDate,
  startOfLocalDay,
  type ApiKeyRole,
} from '@arvlite/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, fieldErrors } from '../api.ts';
import { ConfirmModal } from '../components/confirm-modal.tsx';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useCompany } from '../components/use-company.ts';
import { useFormat } from '../i18n/dashboard.ts';

type ApiKey = Awaited<ReturnType<typeof api.apiKey.list.query>>[number];

const CREATE_ERRORS = { API_KEY_LIMIT: 'apiKeys.errors.limit' };

export function ApiKeysPage() {
  const { companyId, can, loading } = useCompany();
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const list = useQuery({
    queryKey: ['api-keys', companyId],
    queryFn: () => api.apiKey.list.query({ companyId }),
    enabled: can('admin'),
  });
  const invalidate = () => qc.invalidateQueries({ queryKey: ['api-keys', companyId] });

  const revoke = useMutation({
    mutationFn: (id: string) => api.apiKey.revoke.mutate({ companyId, id }),
    onSuccess: () => (notifySuccess(t('apiKeys.revoked')), setRevoking(null), invalidate()),
    onError: (e) => notifyError(e, t('apiKeys.couldNotRevoke')),
  });

  if (!loading && !can('admin')) {
    return (
      <Alert color="yellow" role="alert" title={t('apiKeys.adminsOnly')}>
        {t('apiKeys.adminsOnlyText')}
      </Alert>
    );
  }
  const now = Date.now();
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1}>{t('apiKeys.title')}</Title>
        <Button onClick={() => setCreating(true)}>{t('apiKeys.create')}</Button>
      </Group>
      <Text c="dimmed" size="sm">
        {t('apiKeys.intro')}
      </Text>
      {list.isError && (
        <Alert color="red" role="alert" title={t('apiKeys.couldNotLoad')}>
          {t('apiKeys.tryAgain')}
        </Alert>
      )}
      <Paper withBorder>
        <Table verticalSpacing="sm" aria-label={t('apiKeys.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('apiKeys.columns.name')}</Table.Th>
              <Table.Th>{t('apiKeys.columns.prefix')}</Table.Th>
              <Table.Th>{t('apiKeys.columns.role')}</Table.Th>
              <Table.Th>{t('apiKeys.columns.created')}</Table.Th>
              <Table.Th>{t('apiKeys.columns.expires')}</Table.Th>
              <Table.Th>{t('apiKeys.columns.lastUsed')}</Table.Th>
              <Table.Th>{t('apiKeys.columns.status')}</Table.Th>
              <Table.Th>{t('apiKeys.columns.actions')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.map((k) => {
              const state = stateOf(k, now);
              return (
                <Table.Tr key={k.id} data-api-key={k.id} data-state={state}>
                  <Table.Td>{k.name}</Table.Td>
                  <Table.Td>
                    <Code>{t('apiKeys.prefixShown', { prefix: k.prefix })}</Code>
                  </Table.Td>
                  <Table.Td>{t(`members.roles.${k.role}`, { defaultValue: k.role })}</Table.Td>
                  <Table.Td>{f.dateTime(k.createdAt)}</Table.Td>
                  <Table.Td>{k.expiresAt ? f.dateTime(k.expiresAt) : t('apiKeys.never')}</Table.Td>
                  <Table.Td>{k.lastUsedAt ? f.dateTime(k.lastUsedAt) : t('apiKeys.notUsed')}</Table.Td>
                  <Table.Td>
                    <Badge color={STATE_COLOR[state]} variant="light">
                      {t(`apiKeys.state.${state}`)}
                    </Badge>
                    {k.revokedAt && (
                      <Text size="xs" c="dimmed">
                        {f.dateTime(k.revokedAt)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {!k.revokedAt && (
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        aria-label={t('apiKeys.revokeLabel', { name: k.name })}
                        onClick={() => setRevoking(k)}
                      >
                        {t('apiKeys.revoke')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
            {list.isSuccess && list.data.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={8}>
                  <Text ta="center" c="dimmed" py="lg">
                    {t('apiKeys.empty')}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Paper>

      {creating && (
        <CreateKeyForm
          companyId={companyId}
          onClose={() => setCreating(false)}
          onCreated={(c) => (setCreating(false), setCreated(c), invalidate())}
        />
      )}
      <Modal
        opened={created !== null}
        onClose={() => setCreated(null)}
        title={t('apiKeys.createdTitle')}
        size="lg"
        closeOnClickOutside={false}
      >
        {created && (
          <Stack>
            <Alert color="yellow" role="status" title={t('apiKeys.onceTitle')}>
              {t('apiKeys.once')}
            </Alert>
            <Code block style={{ wordBreak: 'break-all' }} aria-label={t('apiKeys.keyLabel', { name: created.name })}>
              {created.key}
            </Code>
            <Text size="sm" c="dimmed">
              {t('apiKeys.usage')}
            </Text>
            <Group justify="flex-end">
              <CopyButton value={created.key}>
                {({ copied, copy }) => (
                  <Button onClick={copy} color={copied ? 'teal' : undefined}>
                    {copied ? t('apiKeys.copied') : t('apiKeys.copy')}
                  </Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={() => setCreated(null)}>
                {t('apiKeys.done')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <ConfirmModal
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t('apiKeys.confirmTitle')}
        confirmLabel={t('apiKeys.revoke')}
        pending={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
      >
        {t('apiKeys.confirmText', { name: revoking?.name ?? '', prefix: revoking?.prefix ?? '' })}
      </ConfirmModal>
    </Stack>
  );
}

const STATE_COLOR = { active: 'teal', expired: 'gray', revoked: 'red' } as const;

/** Revoked wins over expired: revocation is what someone did on purpose. */
function stateOf(k: ApiKey, now: number): keyof typeof STATE_COLOR {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && new Date(k.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

/** The browser's time zone: a key chosen to expire on a day stops working when that day ends there. */
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The end of the chosen day (`YYYY-MM-DD`) in the browser's time zone. */
function endOfDay(day: string): Date {
  return new Date(nextLocalMidnight(startOfLocalDay(parseLocalDate(day), timeZone), timeZone));
}

function CreateKeyForm({
  companyId,
  onClose,
  onCreated,
}: {
  companyId: string;
  onClose: () => void;
  onCreated: (created: { key: string; name: string }) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiKeyRole>('editor');
  const [expires, setExpires] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      api.apiKey.create.mutate({ companyId, name, role, expiresAt: expires ? endOfDay(expires) : null }),
    onSuccess: (res) => (notifySuccess(t('apiKeys.created')), onCreated({ key: res.key, name: res.apiKey.name })),
    onError: (e) => {
      if (!Object.keys(fieldErrors(e)).length) notifyError(e, t('apiKeys.couldNotCreate'), CREATE_ERRORS);
    },
  });
  const errors = fieldErrors(create.error);
  return (
    <Modal opened onClose={onClose} title={t('apiKeys.createTitle')}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <TextInput
            label={t('apiKeys.name')}
            description={t('apiKeys.nameHint')}
            required
            maxLength={API_KEY_NAME_MAX}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            data-autofocus
          />
          <Select
            label={t('apiKeys.role')}
            description={t(`apiKeys.roleHint.${role}`)}
            data={API_KEY_ROLES.map((value) => ({ value, label: t(`members.roles.${value}`) }))}
            value={role}
            allowDeselect={false}
            onChange={(v) => v && setRole(v as ApiKeyRole)}
          />
          <DatePickerInput
            label={t('apiKeys.expires')}
            description={t('apiKeys.expiresHint')}
            placeholder={t('apiKeys.never')}
            value={expires}
            onChange={setExpires}
            minDate={localDateKey(new Date(), timeZone)}
            valueFormat="D MMM YYYY"
            error={errors.expiresAt && t('apiKeys.errors.expiry')}
            clearable
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:actions.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('apiKeys.createSubmit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
