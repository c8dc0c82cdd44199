// A company's orders: filters (state, created between two dates, customer or reference search), cursor paging, and a
// new draft order (project, currency, customer, reference) that opens on its own page.
import { CURRENCIES, inputs, LANGUAGES, ORDER_STATES, type Currency, type OrderState } from '@arvlite/client';
import { formatMoney } from '@arvlite/i18n';
import { Anchor, Button, Group, Modal, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'wouter';
import { api, fieldErrors } from '../api.ts';
import { notifyError } from '../components/notify.ts';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { useCompany } from '../components/use-company.ts';
import { useFormat } from '../i18n/dashboard.ts';
import { OrderStateBadge } from '../orders/order-state.tsx';

/** A date input's YYYY-MM-DD as the start of that day in the browser's time zone (what the operator means). */
function dayStart(value: string, plusDays = 0): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays);
}

export function OrdersPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const { companyId, can } = useCompany();
  const [state, setState] = useState<OrderState | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const filters = { state: state ?? undefined, from: dayStart(from), to: dayStart(to, 1), search: search.trim() };
  const list = usePagedList({
    queryKey: ['orders', companyId, filters],
    fetchPage: (cursor) =>
      api.order.list.query({
        companyId,
        limit: 50,
        cursor,
        ...filters,
        search: filters.search || undefined,
      }),
  });

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1}>{t('orders.title')}</Title>
        {can('editor') && <Button onClick={() => setCreating(true)}>{t('orders.new')}</Button>}
      </Group>
      <Group align="flex-end" gap="sm" role="search" aria-label={t('orders.filters')}>
        <TextInput
          label={t('orders.search')}
          placeholder={t('orders.searchPlaceholder')}
          maxLength={100}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={280}
        />
        <Select
          label={t('orders.state')}
          placeholder={t('orders.anyState')}
          clearable
          value={state}
          data={ORDER_STATES.map((s) => ({ value: s, label: t(`orderState.${s}`) }))}
          onChange={(v) => setState(v as OrderState | null)}
          w={200}
        />
        <TextInput type="date" label={t('orders.from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput type="date" label={t('orders.to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
      </Group>
      <PagedTable
        list={list}
        aria-label={t('orders.title')}
        columns={[
          t('orders.columns.number'),
          t('orders.columns.customer'),
          t('orders.columns.state'),
          t('orders.columns.total'),
          t('orders.columns.created'),
        ]}
        empty={t('orders.empty')}
        row={(o) => (
          <Table.Tr key={o.id} data-order-id={o.id}>
            <Table.Td>
              <Anchor component={Link} href={`/c/${companyId}/orders/${o.id}`} fw={500}>
                {t('orders.number', { number: o.number })}
              </Anchor>
              {o.reference && (
                <Text size="xs" c="dimmed">
                  {o.reference}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="sm">{o.customer.name}</Text>
              <Text size="xs" c="dimmed">
                {[o.customer.email, o.customer.phone].filter(Boolean).join(' · ')}
              </Text>
            </Table.Td>
            <Table.Td>
              <OrderStateBadge state={o.state} />
            </Table.Td>
            <Table.Td>{formatMoney(o.totalMinor, o.currency, f.lng)}</Table.Td>
            <Table.Td>{f.dateTime(o.createdAt)}</Table.Td>
          </Table.Tr>
        )}
      />
      {creating && <NewOrderModal companyId={companyId} onClose={() => setCreating(false)} />}
    </Stack>
  );
}

function NewOrderModal({ companyId, onClose }: { companyId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [, navigate] = useLocation();
  const projects = useQuery({
    queryKey: ['projects', companyId, 'for-orders'],
    queryFn: () => api.project.list.query({ companyId, limit: 100 }),
  });
  const [projectId, setProjectId] = useState<string | null>(null);
  const [currency, setCurrency] = useState<Currency>('RUB');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [language, setLanguage] = useState<string | null>(null);
  const [reference, setReference] = useState('');
  const chosenProject = projectId ?? projects.data?.items[0]?.id ?? null;
  const create = useMutation({
    mutationFn: () =>
      api.order.create.mutate({
        projectId: chosenProject ?? '',
        currency,
        customer: {
          name,
          email: email.trim() || null,
          phone: phone.trim() || null,
          language: (language as 'en' | 'ru' | null) ?? null,
        },
        reference: reference.trim() || null,
      }),
    onSuccess: (order) => navigate(`/c/${companyId}/orders/${order.id}`),
    onError: (err) => {
      if (!Object.keys(fieldErrors(err)).length) notifyError(err, t('orders.couldNotCreate'));
    },
  });
  const errors = fieldErrors(create.error);
  return (
    <Modal opened onClose={onClose} title={t('orders.newTitle')}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <Select
            label={t('orders.project')}
            description={t('orders.projectHint')}
            allowDeselect={false}
            value={chosenProject}
            data={(projects.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
            onChange={setProjectId}
            error={errors.projectId}
          />
          <TextInput
            label={t('orders.customerName')}
            required
            maxLength={inputs.TEXT_LIMITS.customerName}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors['customer.name'] ?? errors.name}
            data-autofocus
          />
          <TextInput
            label={t('orders.customerEmail')}
            type="email"
            maxLength={inputs.TEXT_LIMITS.email}
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={errors['customer.email'] ?? errors.email}
          />
          <Group grow align="flex-start">
            <TextInput
              label={t('orders.customerPhone')}
              maxLength={inputs.TEXT_LIMITS.customerPhone}
              value={phone}
              onChange={(e) => setPhone(e.currentTarget.value)}
              error={errors['customer.phone'] ?? errors.phone}
            />
            <Select
              label={t('orders.customerLanguage')}
              placeholder={t('orders.companyLanguage')}
              clearable
              value={language}
              data={LANGUAGES.map((l) => ({ value: l, label: t(`common:language.${l}`) }))}
              onChange={setLanguage}
            />
          </Group>
          <Group grow align="flex-start">
            <TextInput
              label={t('orders.reference')}
              maxLength={inputs.TEXT_LIMITS.orderRef}
              value={reference}
              onChange={(e) => setReference(e.currentTarget.value)}
              error={errors.reference}
            />
            <Select
              label={t('products.currency')}
              allowDeselect={false}
              value={currency}
              data={CURRENCIES}
              onChange={(v) => v && setCurrency(v as Currency)}
            />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:actions.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!chosenProject}>
              {t('orders.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
