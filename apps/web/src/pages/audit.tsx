// The company's audit log, newest first, for admins and owners.
import { Alert, Code, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { useCompany } from '../components/use-company.ts';
import { useFormat } from '../i18n/dashboard.ts';

export function AuditPage() {
  const { companyId, can, loading } = useCompany();
  const { t } = useTranslation();
  const f = useFormat();
  const [action, setAction] = useState('');
  const [debounced] = useDebouncedValue(action.trim(), 300);
  const members = useQuery({
    queryKey: ['members', companyId],
    queryFn: () => api.member.list.query({ companyId }),
    enabled: can('admin'),
  });
  const names = useMemo(() => new Map(members.data?.members.map((m) => [m.userId, m.name]) ?? []), [members.data]);
  const log = usePagedList({
    queryKey: ['audit', companyId, debounced],
    fetchPage: (cursor) => api.audit.list.query({ companyId, limit: 50, cursor, action: debounced || undefined }),
    enabled: can('admin'),
  });

  if (!loading && !can('admin')) {
    return (
      <Alert color="yellow" role="alert" title={t('audit.adminsOnly')}>
        {t('audit.adminsOnlyText')}
      </Alert>
    );
  }
  return (
    <Stack gap="lg">
      <Title order={1}>{t('audit.title')}</Title>
      <TextInput
        label={t('audit.filter')}
        description={t('audit.filterHint')}
        value={action}
        onChange={(e) => setAction(e.currentTarget.value)}
        maw={360}
      />
      <PagedTable
        list={log}
        aria-label={t('audit.title')}
        verticalSpacing="xs"
        highlightOnHover={false}
        columns={[
          t('audit.columns.when'),
          t('audit.columns.who'),
          t('audit.columns.action'),
          t('audit.columns.target'),
          t('audit.columns.changes'),
          t('audit.columns.from'),
        ]}
        empty={debounced ? t('audit.emptyFiltered') : t('audit.empty')}
        moreLabel={t('audit.older')}
        row={(r) => (
          <Table.Tr key={r.id}>
            <Table.Td>
              <Text size="sm">{f.dateTime(r.createdAt)}</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{r.actorId ? (names.get(r.actorId) ?? r.actorId.slice(0, 8)) : t('audit.system')}</Text>
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
              <Text size="xs" ff="monospace" lineClamp={2} maw={320}>
                {r.changes ? JSON.stringify(r.changes) : ''}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="xs" c="dimmed">
                {r.ip ?? ''}
              </Text>
            </Table.Td>
          </Table.Tr>
        )}
      />
    </Stack>
  );
}
