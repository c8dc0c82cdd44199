// One order: customer, lines (bound to an AR item or creating one), totals from the server, the state's next steps
// (place, cancel, mark paid with a reference, production, shipping, delivery, refunds), invoices and the customer's
// other orders.
import { inputs, MONEY_LIMITS, ORDER_TEXT_LIMITS, type Currency, type OrderState } from '@arvlite/client';
import { formatMoney } from '@arvlite/i18n';
import {
  Alert,
  Anchor,
  Button,
  Group,
  Loader,
  Modal,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'wouter';
import { api, fieldErrors, type RouterOutputs } from '../api.ts';
import { notifyError, notifySuccess } from '../components/notify.ts';
import { useCompany } from '../components/use-company.ts';
import { useFormat } from '../i18n/dashboard.ts';
import { downloadSigned } from '../orders/download.ts';
import { minorToDecimal, parseMoney } from '../orders/money.ts';
import { NEXT_ACTIONS, OrderStateBadge, REFUNDABLE, type OrderAction } from '../orders/order-state.tsx';

type Order = RouterOutputs['order']['byId'];

export function OrderPage() {
  const { orderId = '' } = useParams<{ orderId: string }>();
  const { companyId, can } = useCompany();
  const { t } = useTranslation();
  const f = useFormat();
  const qc = useQueryClient();
  const order = useQuery({
    queryKey: ['order', orderId],
    queryFn: () => api.order.byId.query({ id: orderId }),
    // Invoice PDFs are rendered by a job: ask again until each one is ready.
    refetchInterval: (q) => (q.state.data?.invoices.some((i) => !i.pdfReady) ? 2000 : false),
  });
  const [dialog, setDialog] = useState<'markPaid' | 'markShipped' | 'refund' | null>(null);
  const refresh = (updated?: Partial<Order>) => {
    if (updated) qc.setQueryData(['order', orderId], (old: Order | undefined) => (old ? { ...old, ...updated } : old));
    void qc.invalidateQueries({ queryKey: ['order', orderId] });
    void qc.invalidateQueries({ queryKey: ['orders', companyId] });
  };
  const step = useMutation({
    mutationFn: (action: 'place' | 'cancel' | 'markInProduction' | 'markDelivered') =>
      api.order[action].mutate({ id: orderId }),
    onSuccess: (updated) => {
      refresh(updated);
      notifySuccess(t('order.stateChanged', { state: t(`orderState.${updated.state}`) }));
    },
    onError: (err) => notifyError(err, t('order.couldNotChange')),
  });

  if (order.isPending) return <Loader aria-label={t('app.loading')} />;
  if (!order.data) {
    return (
      <Alert color="red" role="alert">
        {t('order.notFound')}
      </Alert>
    );
  }
  const o = order.data;
  const state = o.state as OrderState;
  const items = o.items ?? [];
  const money = (minor: number) => formatMoney(minor, o.currency, f.lng);
  const editor = can('editor');
  const admin = can('admin');
  const run = (action: OrderAction) => {
    if (action === 'markPaid' || action === 'markShipped') setDialog(action);
    else step.mutate(action);
  };
  const allowed = (action: OrderAction) => (action === 'markPaid' ? admin : editor);
  const refundable = REFUNDABLE.includes(state) && o.paidMinor > o.refundedMinor && admin;

  return (
    <Stack gap="lg">
      <Anchor component={Link} href={`/c/${companyId}/orders`} size="sm">
        {t('order.back')}
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="xs">
            <Title order={1}>{t('orders.number', { number: o.number })}</Title>
            <OrderStateBadge state={state} />
          </Group>
          {o.reference && <Text c="dimmed">{t('order.reference', { reference: o.reference })}</Text>}
        </div>
        <Group gap="sm">
          {NEXT_ACTIONS[state].filter(allowed).map((action) => (
            <Button
              key={action}
              variant={action === 'cancel' ? 'default' : 'filled'}
              color={action === 'cancel' ? 'red' : undefined}
              loading={step.isPending && step.variables === action}
              disabled={action === 'place' && items.length === 0}
              onClick={() => run(action)}
            >
              {t(`order.actions.${action}`)}
            </Button>
          ))}
          {state === 'PLACED' && editor && <PayOnline order={o} />}
          {refundable && (
            <Button variant="default" color="orange" onClick={() => setDialog('refund')}>
              {t('order.actions.refund')}
            </Button>
          )}
        </Group>
      </Group>

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Paper withBorder p="md">
          <Title order={2} size="h5" mb="xs">
            {t('order.customer')}
          </Title>
          <Text fw={500}>{o.customer.name}</Text>
          {o.customer.email && <Text size="sm">{o.customer.email}</Text>}
          {o.customer.phone && <Text size="sm">{o.customer.phone}</Text>}
          {o.customer.language && (
            <Text size="sm" c="dimmed">
              {t(`common:language.${o.customer.language}`)}
            </Text>
          )}
        </Paper>
        <Paper withBorder p="md" aria-label={t('order.totals')}>
          <Title order={2} size="h5" mb="xs">
            {t('order.totals')}
          </Title>
          <Totals
            rows={[
              [t('order.subtotal'), money(o.subtotalMinor)],
              [t('order.tax'), money(o.taxMinor)],
              [t('order.total'), money(o.totalMinor)],
              ...(o.paidMinor > 0 ? [[t('order.paid'), money(o.paidMinor)] as [string, string]] : []),
              ...(o.refundedMinor > 0 ? [[t('order.refunded'), money(o.refundedMinor)] as [string, string]] : []),
            ]}
          />
          {o.payment.provider && (
            <Text size="sm" c="dimmed" mt="xs">
              {t('order.paidWith', {
                provider: t(`order.providers.${o.payment.provider}`),
                reference: o.payment.reference ?? '—',
              })}
            </Text>
          )}
          {o.trackingRef && (
            <Text size="sm" c="dimmed">
              {t('order.tracking', { ref: o.trackingRef })}
            </Text>
          )}
        </Paper>
      </SimpleGrid>

      <section aria-labelledby="order-items-heading">
        <Title order={2} size="h4" id="order-items-heading" mb="xs">
          {t('order.items')}
        </Title>
        <Paper withBorder>
          <Table aria-labelledby="order-items-heading" verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('order.columns.product')}</Table.Th>
                <Table.Th>{t('order.columns.arItem')}</Table.Th>
                <Table.Th>{t('order.columns.quantity')}</Table.Th>
                <Table.Th>{t('order.columns.unitPrice')}</Table.Th>
                <Table.Th>{t('order.columns.total')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((i) => (
                <Table.Tr key={i.id} data-item-id={i.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {i.name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {t(`products.kinds.${i.kind}`)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {i.arContentId ? (
                      <Anchor component={Link} href={`/c/${companyId}/ar/${i.arContentId}`} size="sm">
                        {i.title ?? t('order.openArItem')}
                      </Anchor>
                    ) : i.createsArContent ? (
                      <Text size="sm">{t('order.newArItem', { title: i.title ?? i.name })}</Text>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td>{i.quantity}</Table.Td>
                  <Table.Td>{money(i.unitPriceMinor)}</Table.Td>
                  <Table.Td>{money(i.totalMinor)}</Table.Td>
                  <Table.Td>
                    {state === 'DRAFT' && editor && <RemoveItem orderId={o.id} itemId={i.id} onDone={refresh} />}
                  </Table.Td>
                </Table.Tr>
              ))}
              {items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text ta="center" c="dimmed" py="md">
                      {t('order.noItems')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Paper>
        {state === 'DRAFT' && editor && (
          <AddItem companyId={companyId} order={o} onAdded={(updated) => refresh(updated)} />
        )}
      </section>

      <Invoices order={o} />
      {items.some((i) => i.arContentId) && editor && <PrintSheet order={o} />}
      {o.customer.email && <CustomerHistory companyId={companyId} email={o.customer.email} currentId={o.id} />}

      {dialog === 'markPaid' && (
        <MarkPaidModal order={o} onClose={() => setDialog(null)} onDone={(u) => (setDialog(null), refresh(u))} />
      )}
      {dialog === 'markShipped' && (
        <ShipModal order={o} onClose={() => setDialog(null)} onDone={(u) => (setDialog(null), refresh(u))} />
      )}
      {dialog === 'refund' && (
        <RefundModal order={o} onClose={() => setDialog(null)} onDone={(u) => (setDialog(null), refresh(u))} />
      )}
    </Stack>
  );
}

function Totals({ rows }: { rows: [string, string][] }) {
  return (
    <Table withRowBorders={false} verticalSpacing={2}>
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Td>{label}</Table.Td>
            <Table.Td ta="right" data-total={label}>
              {value}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RemoveItem({ orderId, itemId, onDone }: { orderId: string; itemId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const remove = useMutation({
    mutationFn: () => api.order.removeItem.mutate({ orderId, itemId }),
    onSuccess: onDone,
    onError: (err) => notifyError(err, t('order.couldNotRemove')),
  });
  return (
    <Button size="xs" variant="subtle" color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
      {t('order.remove')}
    </Button>
  );
}

function AddItem({
  companyId,
  order,
  onAdded,
}: {
  companyId: string;
  order: Order;
  onAdded: (o: Partial<Order>) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const products = useQuery({
    queryKey: ['products', companyId, false, 'for-order'],
    queryFn: () => api.product.list.query({ companyId, limit: 100 }),
  });
  const arItems = useQuery({
    queryKey: ['ar-contents', order.projectId, 'for-order'],
    queryFn: () => api.arContent.list.query({ projectId: order.projectId, limit: 100 }),
  });
  const [productId, setProductId] = useState<string | null>(null);
  const [quantity, setQuantity] = useState<number | string>(1);
  const [title, setTitle] = useState('');
  const [bind, setBind] = useState<string | null>(null);
  const usable = (products.data?.items ?? []).filter((p) => p.currency === order.currency && !p.archivedAt);
  const product = usable.find((p) => p.id === productId);
  const add = useMutation({
    mutationFn: () =>
      api.order.addItem.mutate({
        orderId: order.id,
        productId: productId ?? '',
        quantity: typeof quantity === 'number' ? quantity : 1,
        ...(bind ? { bind: { arContentId: bind } } : {}),
        ...(title.trim() && !bind ? { title: title.trim() } : {}),
      }),
    onSuccess: (updated) => {
      setProductId(null);
      setQuantity(1);
      setTitle('');
      setBind(null);
      onAdded(updated);
    },
    onError: (err) => {
      if (!Object.keys(fieldErrors(err)).length) notifyError(err, t('order.couldNotAdd'));
    },
  });
  const errors = fieldErrors(add.error);
  return (
    <Paper withBorder p="md" mt="sm">
      <form
        noValidate
        aria-label={t('order.addItem')}
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <Group align="flex-end" gap="sm">
          <Select
            label={t('order.columns.product')}
            placeholder={usable.length ? t('order.chooseProduct') : t('order.noProducts', { currency: order.currency })}
            value={productId}
            data={usable.map((p) => ({
              value: p.id,
              label: `${p.name} — ${formatMoney(p.priceMinor, p.currency, f.lng)}`,
            }))}
            onChange={setProductId}
            error={errors.productId}
            w={280}
          />
          <NumberInput
            label={t('order.columns.quantity')}
            min={1}
            max={MONEY_LIMITS.quantityMax}
            allowDecimal={false}
            value={quantity}
            onChange={setQuantity}
            error={errors.quantity}
            w={100}
          />
          <Select
            label={t('order.bind')}
            placeholder={t('order.bindNew')}
            clearable
            value={bind}
            data={(arItems.data?.items ?? []).map((c) => ({ value: c.id, label: c.title }))}
            onChange={setBind}
            w={240}
          />
          {!bind && (
            <TextInput
              label={t('order.newItemTitle')}
              placeholder={product?.name ?? ''}
              maxLength={inputs.TEXT_LIMITS.title}
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              error={errors.title}
              w={240}
            />
          )}
          <Button type="submit" loading={add.isPending} disabled={!productId}>
            {t('order.addItem')}
          </Button>
        </Group>
      </form>
    </Paper>
  );
}

function MarkPaidModal({
  order,
  onClose,
  onDone,
}: {
  order: Order;
  onClose: () => void;
  onDone: (o: Partial<Order>) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const [reference, setReference] = useState('');
  const pay = useMutation({
    mutationFn: () => api.order.markPaid.mutate({ id: order.id, reference, amountMinor: order.totalMinor }),
    onSuccess: (updated) => {
      notifySuccess(t('order.paidToast', { number: updated.invoice.number }));
      onDone(updated);
    },
    onError: (err) => {
      if (!Object.keys(fieldErrors(err)).length) notifyError(err, t('order.couldNotChange'));
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('order.markPaidTitle')}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          pay.mutate();
        }}
      >
        <Stack>
          <Text>{t('order.markPaidText', { total: formatMoney(order.totalMinor, order.currency, f.lng) })}</Text>
          <TextInput
            label={t('order.paymentReference')}
            description={t('order.paymentReferenceHint')}
            required
            maxLength={ORDER_TEXT_LIMITS.paymentReference}
            value={reference}
            onChange={(e) => setReference(e.currentTarget.value)}
            error={fieldErrors(pay.error).reference}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:actions.cancel')}
            </Button>
            <Button type="submit" loading={pay.isPending}>
              {t('order.actions.markPaid')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ShipModal({
  order,
  onClose,
  onDone,
}: {
  order: Order;
  onClose: () => void;
  onDone: (o: Partial<Order>) => void;
}) {
  const { t } = useTranslation();
  const [tracking, setTracking] = useState('');
  const ship = useMutation({
    mutationFn: () => api.order.markShipped.mutate({ id: order.id, trackingRef: tracking.trim() || null }),
    onSuccess: onDone,
    onError: (err) => notifyError(err, t('order.couldNotChange')),
  });
  return (
    <Modal opened onClose={onClose} title={t('order.actions.markShipped')}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          ship.mutate();
        }}
      >
        <Stack>
          <TextInput
            label={t('order.trackingLabel')}
            maxLength={ORDER_TEXT_LIMITS.trackingRef}
            value={tracking}
            onChange={(e) => setTracking(e.currentTarget.value)}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:actions.cancel')}
            </Button>
            <Button type="submit" loading={ship.isPending}>
              {t('order.actions.markShipped')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RefundModal({
  order,
  onClose,
  onDone,
}: {
  order: Order;
  onClose: () => void;
  onDone: (o: Partial<Order>) => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const left = order.paidMinor - order.refundedMinor;
  const [amount, setAmount] = useState(minorToDecimal(left, order.currency as Currency));
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState(false);
  const refund = useMutation({
    mutationFn: () => {
      const amountMinor = parseMoney(amount, order.currency, left);
      setInvalid(amountMinor === null || amountMinor === 0);
      if (amountMinor === null || amountMinor === 0) throw new RefundInvalid();
      return api.order.refund.mutate({ id: order.id, amountMinor, ...(reason.trim() ? { reason } : {}) });
    },
    onSuccess: (updated) => {
      notifySuccess(t('order.refundedToast', { number: updated.creditNote.number }));
      onDone(updated);
    },
    onError: (err) => {
      if (!(err instanceof RefundInvalid)) notifyError(err, t('order.couldNotRefund'));
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('order.refundTitle')}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          refund.mutate();
        }}
      >
        <Stack>
          <Text>{t('order.refundText', { left: formatMoney(left, order.currency, f.lng) })}</Text>
          <TextInput
            label={t('order.refundAmount', { currency: order.currency })}
            inputMode="decimal"
            required
            value={amount}
            onChange={(e) => setAmount(e.currentTarget.value)}
            error={invalid ? t('order.refundInvalid') : fieldErrors(refund.error).amountMinor}
          />
          <TextInput
            label={t('order.refundReason')}
            maxLength={ORDER_TEXT_LIMITS.refundReason}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:actions.cancel')}
            </Button>
            <Button type="submit" color="orange" loading={refund.isPending}>
              {t('order.actions.refund')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

class RefundInvalid extends Error {}

/**
 * Takes the payment through the company's provider (payment.start): the payer goes to the provider's page and comes
 * back here; the order turns PAID when the provider's verified notification arrives. With bank transfer as the
 * provider, it shows the amount and the reference the customer transfers with.
 */
function PayOnline({ order }: { order: Order }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [transfer, setTransfer] = useState<{ reference: string; amountMinor: number } | null>(null);
  const start = useMutation({
    mutationFn: () => api.payment.start.mutate({ orderId: order.id, returnUrl: window.location.href }),
    onSuccess: (r) => {
      if (r.confirmationUrl) window.location.assign(r.confirmationUrl);
      else if (r.bankTransfer) setTransfer(r.bankTransfer);
    },
    onError: (err) => notifyError(err, t('order.couldNotStartPayment')),
  });
  return (
    <>
      <Button variant="light" loading={start.isPending} onClick={() => start.mutate()}>
        {t('order.actions.payOnline')}
      </Button>
      {transfer && (
        <Modal opened onClose={() => setTransfer(null)} title={t('order.bankTransferTitle')}>
          <Stack>
            <Text>
              {t('order.bankTransferText', {
                amount: formatMoney(transfer.amountMinor, order.currency, f.lng),
                reference: transfer.reference,
              })}
            </Text>
            <Group justify="flex-end">
              <Button onClick={() => setTransfer(null)}>{t('order.close')}</Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </>
  );
}

function InvoiceDownload({ invoiceId, number }: { invoiceId: string; number: string }) {
  const { t } = useTranslation();
  const get = useMutation({
    mutationFn: async () => {
      const { url } = await api.order.invoiceDownload.query({ invoiceId });
      await downloadSigned(url, `${number}.pdf`);
    },
    onError: (err) => notifyError(err, t('order.couldNotDownload')),
  });
  return (
    <Button size="xs" variant="light" loading={get.isPending} onClick={() => get.mutate()}>
      {t('order.downloadPdf', { number })}
    </Button>
  );
}

/** The lab's print sheet of the order's AR items: asked for, rendered by the worker, then downloaded. */
function PrintSheet({ order }: { order: Order }) {
  const { t } = useTranslation();
  const [fileId, setFileId] = useState<string | null>(null);
  const request = useMutation({
    mutationFn: () => api.order.printSheet.mutate({ id: order.id }),
    onSuccess: (file) => setFileId(file.id),
    onError: (err) => notifyError(err, t('order.couldNotPrint')),
  });
  const status = useQuery({
    queryKey: ['print-sheet', fileId],
    queryFn: () => api.order.printSheetStatus.query({ printFileId: fileId! }),
    enabled: fileId !== null,
    refetchInterval: (q) => (q.state.data?.status === 'PENDING' || !q.state.data ? 1500 : false),
  });
  const save = useMutation({
    mutationFn: async () => {
      // The URL lives 5 minutes: ask for a fresh one at the moment of the click.
      const fresh = await api.order.printSheetStatus.query({ printFileId: fileId! });
      if (!fresh.url) throw new Error(t('order.printNotReady'));
      await downloadSigned(fresh.url, t('order.printFileName', { number: order.number }));
    },
    onError: (err) => notifyError(err, t('order.couldNotDownload')),
  });
  const file = status.data;
  return (
    <section aria-labelledby="order-print-heading">
      <Title order={2} size="h4" id="order-print-heading" mb="xs">
        {t('order.printSheet')}
      </Title>
      <Group gap="sm">
        {(!file || file.status === 'FAILED') && (
          <Button variant="default" loading={request.isPending} onClick={() => request.mutate()}>
            {t('order.preparePrint')}
          </Button>
        )}
        {file?.status === 'PENDING' && (
          <Text size="sm" c="dimmed" role="status">
            {t('order.printPending')}
          </Text>
        )}
        {file?.status === 'FAILED' && (
          <Text size="sm" c="red" role="alert">
            {t(`order.printFailed.${file.failureCode ?? 'RENDER_FAILED'}`)}
          </Text>
        )}
        {file?.status === 'READY' && (
          <Button loading={save.isPending} onClick={() => save.mutate()}>
            {t('order.downloadPrint')}
          </Button>
        )}
      </Group>
      {file?.warnings.map((w) => (
        <Text size="sm" c="orange" key={`${w.itemId}-${w.code}`}>
          {t('order.lowResolution', { dpi: w.dpi, minDpi: w.minDpi })}
        </Text>
      ))}
    </section>
  );
}

function Invoices({ order }: { order: Order }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (order.invoices.length === 0) return null;
  return (
    <section aria-labelledby="order-invoices-heading">
      <Title order={2} size="h4" id="order-invoices-heading" mb="xs">
        {t('order.invoices')}
      </Title>
      <Paper withBorder>
        <Table aria-labelledby="order-invoices-heading">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('order.invoiceColumns.number')}</Table.Th>
              <Table.Th>{t('order.invoiceColumns.kind')}</Table.Th>
              <Table.Th>{t('order.invoiceColumns.total')}</Table.Th>
              <Table.Th>{t('order.invoiceColumns.issued')}</Table.Th>
              <Table.Th>{t('order.invoiceColumns.pdf')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {order.invoices.map((i) => (
              <Table.Tr key={i.id} data-invoice-id={i.id}>
                <Table.Td>{i.number}</Table.Td>
                <Table.Td>{t(`order.invoiceKinds.${i.kind}`)}</Table.Td>
                <Table.Td>{formatMoney(i.totalMinor, i.currency, f.lng)}</Table.Td>
                <Table.Td>{f.dateTime(i.issuedAt)}</Table.Td>
                <Table.Td>
                  {i.pdfReady ? (
                    <InvoiceDownload invoiceId={i.id} number={i.number} />
                  ) : (
                    <Text size="sm" c="dimmed">
                      {t('order.pdfPending')}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </section>
  );
}

function CustomerHistory({ companyId, email, currentId }: { companyId: string; email: string; currentId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const history = useQuery({
    queryKey: ['order-history', companyId, email],
    queryFn: () => api.order.history.query({ companyId, email, limit: 20 }),
  });
  const others = (history.data?.items ?? []).filter((o) => o.id !== currentId);
  return (
    <section aria-labelledby="order-history-heading">
      <Title order={2} size="h4" id="order-history-heading" mb="xs">
        {t('order.history')}
      </Title>
      {others.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('order.noHistory')}
        </Text>
      ) : (
        <Stack gap={4}>
          {others.map((o) => (
            <Group key={o.id} gap="sm">
              <Anchor component={Link} href={`/c/${companyId}/orders/${o.id}`}>
                {t('orders.number', { number: o.number })}
              </Anchor>
              <OrderStateBadge state={o.state as OrderState} />
              <Text size="sm">{formatMoney(o.totalMinor, o.currency, f.lng)}</Text>
              <Text size="sm" c="dimmed">
                {f.date(o.createdAt)}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
    </section>
  );
}
