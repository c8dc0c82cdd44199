// The company's catalogue: list, create, edit, archive. Prices are typed as decimals and sent as exact minor units.
import {
  CURRENCIES,
  ORDER_TEXT_LIMITS,
  PRODUCT_KINDS,
  TERM_MONTHS_MAX,
  type Currency,
  type ProductKind,
} from '@arvlite/client';
import { formatMoney } from '@arvlite/i18n';
import {
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, fieldErrors, type RouterOutputs } from '../api.ts';
import { ConfirmModal } from '../components/confirm-modal.tsx';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { PagedTable, usePagedList } from '../components/paged-table.tsx';
import { useCompany } from '../components/use-company.ts';
import { useFormat } from '../i18n/dashboard.ts';
import { bpToPercent, minorToDecimal, parseMoney, parsePercentBp } from '../orders/money.ts';

type Product = RouterOutputs['product']['list']['items'][number];

/** The form's own checks failed (shown on the fields); nothing was sent. */
class FormInvalid extends Error {}

export function ProductsPage() {
  const { t } = useTranslation();
  const { lng } = useFormat();
  const { companyId, can } = useCompany();
  const qc = useQueryClient();
  const [showArchived, setShowArchived] = useState(false);
  const [editing, setEditing] = useState<Product | 'new' | null>(null);
  const [archiving, setArchiving] = useState<Product | null>(null);
  const list = usePagedList({
    queryKey: ['products', companyId, showArchived],
    fetchPage: (cursor) => api.product.list.query({ companyId, limit: 50, cursor, includeArchived: showArchived }),
  });
  const archive = useMutation({
    mutationFn: (p: Product) => api.product.archive.mutate({ id: p.id }),
    onSuccess: (p) => {
      setArchiving(null);
      notifySuccess(t('products.archivedToast', { name: p.name }));
      void qc.invalidateQueries({ queryKey: ['products', companyId] });
    },
    onError: (err) => notifyError(err, t('products.couldNotArchive')),
  });
  const admin = can('admin');

  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1}>{t('products.title')}</Title>
        <Group gap="sm">
          <Switch
            label={t('products.showArchived')}
            size="sm"
            checked={showArchived}
            onChange={(e) => setShowArchived(e.currentTarget.checked)}
          />
          {admin && <Button onClick={() => setEditing('new')}>{t('products.new')}</Button>}
        </Group>
      </Group>
      <PagedTable
        list={list}
        aria-label={t('products.title')}
        columns={[
          t('products.columns.name'),
          t('products.columns.kind'),
          t('products.columns.price'),
          t('products.columns.tax'),
          t('products.columns.term'),
          t('products.columns.actions'),
        ]}
        empty={admin ? t('products.emptyAdmin') : t('products.empty')}
        row={(p) => (
          <Table.Tr key={p.id} data-product-id={p.id}>
            <Table.Td>
              <Group gap="xs">
                <Text fw={500}>{p.name}</Text>
                {p.archivedAt && <Badge color="gray">{t('products.archived')}</Badge>}
              </Group>
            </Table.Td>
            <Table.Td>{t(`products.kinds.${p.kind}`)}</Table.Td>
            <Table.Td>{formatMoney(p.priceMinor, p.currency, lng)}</Table.Td>
            <Table.Td>
              {t(p.taxInclusive ? 'products.taxIncluded' : 'products.taxAdded', { rate: bpToPercent(p.taxRateBp) })}
            </Table.Td>
            <Table.Td>{p.termMonths ? t('products.months', { count: p.termMonths }) : '—'}</Table.Td>
            <Table.Td>
              {admin && !p.archivedAt && (
                <Group gap="xs">
                  <Button size="xs" variant="default" onClick={() => setEditing(p)}>
                    {t('products.edit')}
                  </Button>
                  <Button size="xs" variant="subtle" color="red" onClick={() => setArchiving(p)}>
                    {t('products.archive')}
                  </Button>
                </Group>
              )}
            </Table.Td>
          </Table.Tr>
        )}
      />
      {editing && (
        <ProductModal
          companyId={companyId}
          product={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => void qc.invalidateQueries({ queryKey: ['products', companyId] })}
        />
      )}
      <ConfirmModal
        opened={archiving !== null}
        onClose={() => setArchiving(null)}
        title={t('products.archiveTitle')}
        confirmLabel={t('products.archive')}
        pending={archive.isPending}
        onConfirm={() => archiving && archive.mutate(archiving)}
      >
        {t('products.archiveText', { name: archiving?.name ?? '' })}
      </ConfirmModal>
    </Stack>
  );
}

function ProductModal({
  companyId,
  product,
  onClose,
  onSaved,
}: {
  companyId: string;
  product: Product | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<ProductKind>(product?.kind ?? 'AR_CARD');
  const [name, setName] = useState(product?.name ?? '');
  const [currency, setCurrency] = useState<Currency>(product?.currency ?? 'RUB');
  const [price, setPrice] = useState(product ? minorToDecimal(product.priceMinor, product.currency) : '');
  const [tax, setTax] = useState(product ? bpToPercent(product.taxRateBp) : '0');
  const [taxInclusive, setTaxInclusive] = useState(product?.taxInclusive ?? true);
  const [term, setTerm] = useState<number | string>(product?.termMonths ?? '');
  const [local, setLocal] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: () => {
      const priceMinor = parseMoney(price, currency);
      const taxRateBp = parsePercentBp(tax);
      const problems: Record<string, string> = {};
      if (priceMinor === null) problems.priceMinor = t('products.priceInvalid');
      if (taxRateBp === null) problems.taxRateBp = t('products.taxInvalid');
      setLocal(problems);
      if (Object.keys(problems).length) throw new FormInvalid();
      const termMonths = typeof term === 'number' ? term : null;
      const fields = { name, currency, priceMinor: priceMinor!, taxRateBp: taxRateBp!, taxInclusive, termMonths };
      return product
        ? api.product.update.mutate({ id: product.id, ...fields })
        : api.product.create.mutate({ companyId, kind, ...fields });
    },
    onSuccess: (p) => {
      notifySuccess(t('products.saved', { name: p.name }));
      onSaved();
      onClose();
    },
    onError: (err) => {
      if (!(err instanceof FormInvalid) && !Object.keys(fieldErrors(err)).length)
        notifyError(err, t('products.couldNotSave'));
    },
  });
  const errors = { ...fieldErrors(save.error), ...local };
  return (
    <Modal opened onClose={onClose} title={product ? t('products.editTitle') : t('products.newTitle')}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <Select
            label={t('products.columns.kind')}
            disabled={product !== null}
            allowDeselect={false}
            value={kind}
            data={PRODUCT_KINDS.map((k) => ({ value: k, label: t(`products.kinds.${k}`) }))}
            onChange={(v) => v && setKind(v as ProductKind)}
          />
          <TextInput
            label={t('products.columns.name')}
            required
            maxLength={ORDER_TEXT_LIMITS.productName}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            data-autofocus
          />
          <Group grow align="flex-start">
            <TextInput
              label={t('products.price')}
              required
              inputMode="decimal"
              value={price}
              onChange={(e) => setPrice(e.currentTarget.value)}
              error={errors.priceMinor}
            />
            <Select
              label={t('products.currency')}
              allowDeselect={false}
              value={currency}
              data={CURRENCIES}
              onChange={(v) => v && setCurrency(v as Currency)}
              error={errors.currency}
            />
          </Group>
          <Group grow align="flex-start">
            <TextInput
              label={t('products.taxRate')}
              inputMode="decimal"
              value={tax}
              onChange={(e) => setTax(e.currentTarget.value)}
              error={errors.taxRateBp}
            />
            <NumberInput
              label={t('products.termMonths')}
              description={kind === 'STORAGE_EXTENSION' ? t('products.termRequired') : t('products.termHint')}
              min={1}
              max={TERM_MONTHS_MAX}
              allowDecimal={false}
              value={term}
              onChange={setTerm}
              error={errors.termMonths}
            />
          </Group>
          <Checkbox
            label={t('products.taxInclusive')}
            checked={taxInclusive}
            onChange={(e) => setTaxInclusive(e.currentTarget.checked)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:actions.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('products.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
