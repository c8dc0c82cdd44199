// The installation's admin pages (the platform operator, not a company role): companies, users, the job queue and the
// workers, plus the operator's audit trail. Shown only when auth.me says isPlatformAdmin; the API answers NOT_FOUND to
// anyone else whatever this page does.
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { COMPANY_PLANS, SUSPENSION_REASON_MAX, type CompanyPlan } from '@arvlite/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type RouterOutputs } from '../api.ts';
import { useMe } from '../auth/use-session.ts';
import { ConfirmModal } from '../components/confirm-modal.tsx';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { useFormat } from '../i18n/dashboard.ts';

type AdminCompany = RouterOutputs['admin']['companies']['items'][number];
type AdminUser = RouterOutputs['admin']['users']['items'][number];
type AdminJob = RouterOutputs['admin']['jobs']['items'][number];

const GIB = 2 ** 30;
const RUNGS = ['1080p', '720p', '480p', '360p'] as const;

/** Only for the operator: anyone else sees the not-found text (the API refuses them anyway). */
function OperatorOnly({ children }: { children: ReactNode }) {
  const me = useMe();
  const { t } = useTranslation();
  if (me.isPending) return null;
  if (!me.data?.isPlatformAdmin) {
    return (
      <Alert color="yellow" role="alert" title={t('notFound.title')}>
        {t('notFound.text')}
      </Alert>
    );
  }
  return <>{children}</>;
}

// ─── companies ──────────────────────────────────────────────────────────────────────────────────────────────────────

export function AdminCompaniesPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const [editing, setEditing] = useState<AdminCompany | null>(null);
  const [suspending, setSuspending] = useState<AdminCompany | null>(null);
  const qc = useQueryClient();
  const list = usePagedList({
    queryKey: ['admin', 'companies', debounced],
    fetchPage: (cursor) => api.admin.companies.query({ cursor, limit: 50, search: debounced || undefined }),
  });
  const resume = useMutation({
    mutationFn: (companyId: string) => api.admin.resumeCompany.mutate({ companyId }),
    onSuccess: async (c) => {
      notifySuccess(t('admin.companies.resumed', { name: c.name }));
      await qc.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (e) => notifyError(e, t('admin.actionFailed')),
  });
  return (
    <OperatorOnly>
      <Stack gap="lg">
        <Title order={1}>{t('admin.companies.title')}</Title>
        <TextInput
          label={t('admin.search')}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          maw={360}
        />
        <PagedTable
          list={list}
          aria-label={t('admin.companies.title')}
          columns={[
            t('admin.companies.columns.name'),
            t('admin.companies.columns.plan'),
            t('admin.companies.columns.storage'),
            t('admin.companies.columns.content'),
            t('admin.companies.columns.state'),
            t('admin.columns.actions'),
          ]}
          empty={t('admin.companies.empty')}
          row={(c) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {c.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {f.date(c.createdAt)}
                </Text>
              </Table.Td>
              <Table.Td>{t(`admin.plans.${c.plan}`)}</Table.Td>
              <Table.Td>
                <Text size="sm">
                  {t('admin.companies.usage', {
                    used: f.bytes(c.storageUsedBytes),
                    quota: f.bytes(c.storageQuotaBytes),
                  })}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {t('admin.companies.counts', { members: c.members, videos: c.videos, items: c.arContents })}
                </Text>
              </Table.Td>
              <Table.Td>
                {c.suspendedAt ? (
                  <Stack gap={2}>
                    <Badge color="red">{t('admin.companies.suspended')}</Badge>
                    <Text size="xs" c="dimmed" lineClamp={2} maw={240}>
                      {c.suspendedReason}
                    </Text>
                  </Stack>
                ) : (
                  <Badge color="teal">{t('admin.companies.active')}</Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button size="xs" variant="default" onClick={() => setEditing(c)}>
                    {t('admin.companies.editPlan')}
                  </Button>
                  {c.suspendedAt ? (
                    <Button size="xs" variant="light" loading={resume.isPending} onClick={() => resume.mutate(c.id)}>
                      {t('admin.companies.resume')}
                    </Button>
                  ) : (
                    <Button size="xs" color="red" variant="light" onClick={() => setSuspending(c)}>
                      {t('admin.companies.suspend')}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          )}
        />
        {editing && <PlanModal company={editing} onClose={() => setEditing(null)} />}
        {suspending && <SuspendModal company={suspending} onClose={() => setSuspending(null)} />}
      </Stack>
    </OperatorOnly>
  );
}

function PlanModal({ company, onClose }: { company: AdminCompany; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [plan, setPlan] = useState<CompanyPlan>(company.plan);
  const [quotaGib, setQuotaGib] = useState<number | string>(Math.round((company.storageQuotaBytes / GIB) * 100) / 100);
  const save = useMutation({
    mutationFn: () =>
      api.admin.setPlan.mutate({
        companyId: company.id,
        plan,
        storageQuotaBytes: Math.round(Number(quotaGib) * GIB),
      }),
    onSuccess: async () => {
      notifySuccess(t('admin.companies.planSaved'));
      await qc.invalidateQueries({ queryKey: ['admin'] });
      onClose();
    },
    onError: (e) => notifyError(e, t('admin.actionFailed')),
  });
  return (
    <Modal opened onClose={onClose} title={t('admin.companies.planTitle', { name: company.name })}>
      <Stack>
        <Select
          label={t('admin.companies.columns.plan')}
          allowDeselect={false}
          value={plan}
          data={COMPANY_PLANS.map((p) => ({ value: p, label: t(`admin.plans.${p}`) }))}
          onChange={(v) => v && setPlan(v as CompanyPlan)}
        />
        <NumberInput
          label={t('admin.companies.quotaGib')}
          min={0}
          max={1024 * 1024}
          decimalScale={2}
          value={quotaGib}
          onChange={setQuotaGib}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common:actions.cancel')}
          </Button>
          <Button loading={save.isPending} onClick={() => save.mutate()}>
            {t('common:actions.save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function SuspendModal({ company, onClose }: { company: AdminCompany; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const suspend = useMutation({
    mutationFn: () => api.admin.suspendCompany.mutate({ companyId: company.id, reason: reason.trim() }),
    onSuccess: async () => {
      notifySuccess(t('admin.companies.suspendedDone', { name: company.name }));
      await qc.invalidateQueries({ queryKey: ['admin'] });
      onClose();
    },
    onError: (e) => notifyError(e, t('admin.actionFailed')),
  });
  return (
    <Modal opened onClose={onClose} title={t('admin.companies.suspendTitle', { name: company.name })}>
      <Stack>
        <Text size="sm">{t('admin.companies.suspendText')}</Text>
        <Textarea
          label={t('admin.companies.reason')}
          description={t('admin.companies.reasonHint')}
          maxLength={SUSPENSION_REASON_MAX}
          autosize
          minRows={2}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common:actions.cancel')}
          </Button>
          <Button color="red" disabled={!reason.trim()} loading={suspend.isPending} onClick={() => suspend.mutate()}>
            {t('admin.companies.suspend')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

// ─── users ──────────────────────────────────────────────────────────────────────────────────────────────────────────

export function AdminUsersPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const me = useMe();
  const qc = useQueryClient();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const [confirm, setConfirm] = useState<{ user: AdminUser; action: 'disable' | 'signOut' } | null>(null);
  const list = usePagedList({
    queryKey: ['admin', 'users', debounced],
    fetchPage: (cursor) => api.admin.users.query({ cursor, limit: 50, search: debounced || undefined }),
  });
  const act = useMutation({
    mutationFn: async ({ user, action }: { user: AdminUser; action: 'disable' | 'enable' | 'signOut' }) => {
      if (action === 'disable') await api.admin.disableUser.mutate({ userId: user.id });
      else if (action === 'enable') await api.admin.enableUser.mutate({ userId: user.id });
      else await api.admin.signOutUser.mutate({ userId: user.id });
      return { user, action };
    },
    onSuccess: async ({ user, action }) => {
      notifySuccess(t(`admin.users.done.${action}`, { email: user.email }));
      setConfirm(null);
      await qc.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (e) => notifyError(e, t('admin.actionFailed'), { CANNOT_DISABLE_SELF: 'admin.users.cannotDisableSelf' }),
  });
  return (
    <OperatorOnly>
      <Stack gap="lg">
        <Title order={1}>{t('admin.users.title')}</Title>
        <TextInput
          label={t('admin.search')}
          description={t('admin.users.searchHint')}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          maw={360}
        />
        <PagedTable
          list={list}
          aria-label={t('admin.users.title')}
          columns={[
            t('admin.users.columns.user'),
            t('admin.users.columns.companies'),
            t('admin.users.columns.sessions'),
            t('admin.users.columns.state'),
            t('admin.columns.actions'),
          ]}
          empty={t('admin.users.empty')}
          row={(u) => (
            <Table.Tr key={u.id}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {u.name}
                  {u.isPlatformAdmin && (
                    <Badge ml="xs" size="xs" variant="light">
                      {t('admin.users.operator')}
                    </Badge>
                  )}
                </Text>
                <Text size="xs" c="dimmed">
                  {u.email} · {f.date(u.createdAt)}
                </Text>
              </Table.Td>
              <Table.Td>{f.number(u.companies)}</Table.Td>
              <Table.Td>{f.number(u.activeSessions)}</Table.Td>
              <Table.Td>
                {u.disabledAt ? (
                  <Badge color="red">{t('admin.users.disabled')}</Badge>
                ) : (
                  <Badge color="teal">{t('admin.users.enabled')}</Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  {u.disabledAt ? (
                    <Button
                      size="xs"
                      variant="light"
                      loading={act.isPending}
                      onClick={() => act.mutate({ user: u, action: 'enable' })}
                    >
                      {t('admin.users.enable')}
                    </Button>
                  ) : (
                    <Button
                      size="xs"
                      color="red"
                      variant="light"
                      disabled={u.id === me.data?.user.id}
                      onClick={() => setConfirm({ user: u, action: 'disable' })}
                    >
                      {t('admin.users.disable')}
                    </Button>
                  )}
                  <Button size="xs" variant="default" onClick={() => setConfirm({ user: u, action: 'signOut' })}>
                    {t('admin.users.signOut')}
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          )}
        />
        <ConfirmModal
          opened={confirm !== null}
          onClose={() => setConfirm(null)}
          title={confirm ? t(`admin.users.confirm.${confirm.action}.title`, { email: confirm.user.email }) : ''}
          confirmLabel={confirm ? t(`admin.users.${confirm.action}`) : ''}
          pending={act.isPending}
          onConfirm={() => confirm && act.mutate(confirm)}
        >
          {confirm ? t(`admin.users.confirm.${confirm.action}.text`) : ''}
        </ConfirmModal>
      </Stack>
    </OperatorOnly>
  );
}

// ─── the queue ──────────────────────────────────────────────────────────────────────────────────────────────────────

const STATES = ['queued', 'scheduled', 'running', 'retrying', 'failed'] as const;

export function AdminQueuePage() {
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const [onlyFailed, setOnlyFailed] = useState(false);
  const counts = useQuery({
    queryKey: ['admin', 'queue'],
    queryFn: () => api.admin.queue.query(),
    refetchInterval: 5000,
  });
  const jobs = usePagedList({
    queryKey: ['admin', 'jobs', onlyFailed],
    fetchPage: (cursor) => api.admin.jobs.query({ cursor, limit: 50, state: onlyFailed ? 'failed' : 'any-error' }),
  });
  const act = useMutation({
    mutationFn: async ({ job, action }: { job: AdminJob; action: 'retry' | 'cancel' }) => {
      const ids = { jobIds: [job.id] };
      const done =
        action === 'retry'
          ? (await api.admin.retryJobs.mutate(ids)).retried
          : (await api.admin.cancelJobs.mutate(ids)).cancelled;
      return { action, done: done.length > 0 };
    },
    onSuccess: async ({ action, done }) => {
      if (done) notifySuccess(t(`admin.queue.done.${action}`));
      else notifyError(null, t('admin.actionFailed'));
      await qc.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (e) => notifyError(e, t('admin.actionFailed')),
  });
  return (
    <OperatorOnly>
      <Stack gap="lg">
        <Title order={1}>{t('admin.queue.title')}</Title>
        <Paper withBorder>
          <Table aria-label={t('admin.queue.countsTitle')} verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('admin.queue.task')}</Table.Th>
                {STATES.map((s) => (
                  <Table.Th key={s}>{t(`admin.queue.states.${s}`)}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {counts.data?.tasks.map((row) => (
                <Table.Tr key={row.task}>
                  <Table.Td>
                    <Code>{row.task}</Code>
                  </Table.Td>
                  {STATES.map((s) => (
                    <Table.Td key={s} c={s === 'failed' && row[s] > 0 ? 'red' : undefined}>
                      {f.number(row[s])}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
              {counts.isSuccess && counts.data.tasks.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={STATES.length + 1}>
                    <Text ta="center" c="dimmed" py="md">
                      {t('admin.queue.emptyCounts')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Paper>
        {counts.data && (
          <Text size="sm" c="dimmed">
            {counts.data.oldestRunnableAt
              ? t('admin.queue.oldest', { when: f.dateTime(counts.data.oldestRunnableAt) })
              : t('admin.queue.noBacklog')}
          </Text>
        )}
        <Group justify="space-between" align="end">
          <Title order={2}>{t('admin.queue.failedTitle')}</Title>
          <Switch
            label={t('admin.queue.onlyFailed')}
            checked={onlyFailed}
            onChange={(e) => setOnlyFailed(e.currentTarget.checked)}
          />
        </Group>
        <PagedTable
          list={jobs}
          aria-label={t('admin.queue.failedTitle')}
          verticalSpacing="xs"
          highlightOnHover={false}
          columns={[
            t('admin.queue.task'),
            t('admin.queue.attempts'),
            t('admin.queue.lastError'),
            t('admin.queue.updated'),
            t('admin.columns.actions'),
          ]}
          empty={t('admin.queue.emptyFailed')}
          row={(job) => (
            <Table.Tr key={job.id} data-job-id={job.id}>
              <Table.Td>
                <Code>{job.task}</Code>
                <Text size="xs" c="dimmed">
                  #{job.id} · {t(`admin.queue.states.${job.state}`)}
                </Text>
              </Table.Td>
              <Table.Td>{t('admin.queue.attemptsOf', { attempts: job.attempts, max: job.maxAttempts })}</Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace" lineClamp={3} maw={420}>
                  {job.lastError}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{f.dateTime(job.updatedAt)}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button
                    size="xs"
                    variant="light"
                    disabled={job.state === 'running'}
                    onClick={() => act.mutate({ job, action: 'retry' })}
                  >
                    {t('admin.queue.retry')}
                  </Button>
                  {job.state !== 'failed' && job.state !== 'running' && (
                    <Button size="xs" color="red" variant="light" onClick={() => act.mutate({ job, action: 'cancel' })}>
                      {t('admin.queue.cancel')}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          )}
        />
        <ReprocessMissing />
      </Stack>
    </OperatorOnly>
  );
}

function ReprocessMissing() {
  const { t } = useTranslation();
  const [rung, setRung] = useState<(typeof RUNGS)[number]>('1080p');
  const [matched, setMatched] = useState<number | null>(null);
  const run = useMutation({
    mutationFn: (dryRun: boolean) => api.admin.reprocessMissingRendition.mutate({ rung, dryRun, limit: 1000 }),
    onSuccess: (r, dryRun) => {
      setMatched(r.matched);
      if (!dryRun) notifySuccess(t('admin.queue.reprocess.queued', { count: r.queued }));
    },
    onError: (e) => notifyError(e, t('admin.actionFailed')),
  });
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Title order={2}>{t('admin.queue.reprocess.title')}</Title>
        <Text size="sm" c="dimmed">
          {t('admin.queue.reprocess.text')}
        </Text>
        <Group align="end">
          <Select
            label={t('admin.queue.reprocess.rung')}
            allowDeselect={false}
            value={rung}
            data={[...RUNGS]}
            onChange={(v) => {
              if (v) setRung(v as (typeof RUNGS)[number]);
              setMatched(null);
            }}
            w={140}
          />
          <Button variant="default" loading={run.isPending && run.variables} onClick={() => run.mutate(true)}>
            {t('admin.queue.reprocess.count')}
          </Button>
          <Button loading={run.isPending && !run.variables} onClick={() => run.mutate(false)}>
            {t('admin.queue.reprocess.run')}
          </Button>
        </Group>
        {matched !== null && <Text size="sm">{t('admin.queue.reprocess.matched', { count: matched })}</Text>}
      </Stack>
    </Paper>
  );
}

// ─── workers ────────────────────────────────────────────────────────────────────────────────────────────────────────

export function AdminWorkersPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const workers = useQuery({
    queryKey: ['admin', 'workers'],
    queryFn: () => api.admin.workers.query(),
    refetchInterval: 5000,
  });
  const alive = workers.data?.filter((w) => w.alive).length ?? 0;
  return (
    <OperatorOnly>
      <Stack gap="lg">
        <Title order={1}>{t('admin.workers.title')}</Title>
        {workers.data && <Text>{t('admin.workers.alive', { count: alive })}</Text>}
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {workers.data?.map((w) => (
            <Paper key={w.id} withBorder p="md" aria-label={w.id}>
              <Stack gap={4}>
                <Group justify="space-between">
                  <Text fw={500}>
                    {w.hostname} · {t('admin.workers.pid', { pid: w.pid })}
                  </Text>
                  <Badge color={w.alive ? 'teal' : 'gray'}>
                    {w.alive ? t('admin.workers.up') : t('admin.workers.down')}
                  </Badge>
                </Group>
                <Text size="sm">{t('admin.workers.load', { running: w.jobsRunning, concurrency: w.concurrency })}</Text>
                <Text size="sm" c="dimmed">
                  {t('admin.workers.totals', { completed: w.jobsCompleted, failed: w.jobsFailed })}
                </Text>
                <Text size="sm" c="dimmed">
                  {t('admin.workers.seen', { started: f.dateTime(w.startedAt), seen: f.dateTime(w.lastSeenAt) })}
                </Text>
                <Text size="xs" ff="monospace" lineClamp={3}>
                  {t('admin.workers.tasks', { count: w.tasks.length })}: {w.tasks.join(', ')}
                </Text>
              </Stack>
            </Paper>
          ))}
        </SimpleGrid>
        {workers.isSuccess && workers.data.length === 0 && <Text c="dimmed">{t('admin.workers.none')}</Text>}
      </Stack>
    </OperatorOnly>
  );
}

// ─── the operator's audit trail ─────────────────────────────────────────────────────────────────────────────────────

export function AdminAuditPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const log = usePagedList({
    queryKey: ['admin', 'audit'],
    fetchPage: (cursor) => api.admin.audit.query({ cursor, limit: 50 }),
  });
  return (
    <OperatorOnly>
      <Stack gap="lg">
        <Title order={1}>{t('admin.audit.title')}</Title>
        <PagedTable
          list={log}
          aria-label={t('admin.audit.title')}
          verticalSpacing="xs"
          highlightOnHover={false}
          columns={[
            t('audit.columns.when'),
            t('audit.columns.who'),
            t('audit.columns.action'),
            t('audit.columns.target'),
            t('audit.columns.changes'),
          ]}
          empty={t('admin.audit.empty')}
          row={(r) => (
            <Table.Tr key={r.id}>
              <Table.Td>
                <Text size="sm">{f.dateTime(r.createdAt)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{r.actorId ? r.actorId.slice(0, 8) : t('admin.audit.cli')}</Text>
              </Table.Td>
              <Table.Td>
                <Code>{r.action}</Code>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {r.targetType}
                  {r.targetId ? ` ${r.targetId.slice(0, 8)}` : ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace" lineClamp={2} maw={360}>
                  {r.changes ? JSON.stringify(r.changes) : ''}
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
        />
      </Stack>
    </OperatorOnly>
  );
}
