import {
  invoiceDownloadInput,
  orderAddItemInput,
  orderCreateInput,
  orderHistoryInput,
  orderIdInput,
  orderListInput,
  orderMarkPaidInput,
  orderMarkShippedInput,
  orderRefundInput,
  orderRemoveItemInput,
  printFileStatusInput,
  printSheetInput,
} from '@arvlite/contract';
import * as out from '../rest/order-schemas.ts';
import { rest } from '../rest/meta.ts';
import * as documents from '../services/documents.service.ts';
import * as orders from '../services/orders.ts';
import { router, tenantProcedure } from '../trpc.ts';

const tags = ['Orders'];

/**
 * Orders: editors build and move them along; money (marking paid, refunds) is for admins and owners; viewers read.
 * Totals are computed on the server from the lines.
 */
export const orderRouter = router({
  create: tenantProcedure('editor')
    .meta(rest('POST', '/orders', out.orderSchema, { summary: 'Create a draft order', tags }))
    .input(orderCreateInput)
    .mutation(({ ctx, input }) => orders.createOrder(ctx, input)),

  addItem: tenantProcedure('editor')
    .meta(rest('POST', '/orders/{orderId}/items', out.orderSchema, { summary: 'Add a line to a draft order', tags }))
    .input(orderAddItemInput)
    .mutation(({ ctx, input }) => orders.addItem(ctx, input)),

  removeItem: tenantProcedure('editor')
    .meta(
      rest('DELETE', '/orders/{orderId}/items/{itemId}', out.orderSchema, {
        summary: 'Remove a line from a draft order',
        tags,
      }),
    )
    .input(orderRemoveItemInput)
    .mutation(({ ctx, input }) => orders.removeItem(ctx, input)),

  place: tenantProcedure('editor')
    .meta(rest('POST', '/orders/{id}/place', out.orderSchema, { summary: 'Place a draft order', tags }))
    .input(orderIdInput)
    .mutation(({ ctx, input }) => orders.changeState(ctx, input, 'PLACED')),

  cancel: tenantProcedure('editor')
    .meta(rest('POST', '/orders/{id}/cancel', out.orderSchema, { summary: 'Cancel an unpaid order', tags }))
    .input(orderIdInput)
    .mutation(({ ctx, input }) => orders.changeState(ctx, input, 'CANCELLED')),

  /** A manual payment (bank transfer, cash): the order becomes PAID and its invoice is issued. */
  markPaid: tenantProcedure('admin')
    .meta(
      rest('POST', '/orders/{id}/mark-paid', out.orderPaidSchema, {
        summary: 'Record a manual payment (bank transfer) with its reference',
        tags,
      }),
    )
    .input(orderMarkPaidInput)
    .mutation(({ ctx, input }) => orders.markPaid(ctx, input)),

  markInProduction: tenantProcedure('editor')
    .meta(rest('POST', '/orders/{id}/in-production', out.orderSchema, { summary: 'Start production', tags }))
    .input(orderIdInput)
    .mutation(({ ctx, input }) => orders.changeState(ctx, input, 'IN_PRODUCTION')),

  markShipped: tenantProcedure('editor')
    .meta(rest('POST', '/orders/{id}/shipped', out.orderSchema, { summary: 'Mark an order shipped', tags }))
    .input(orderMarkShippedInput)
    .mutation(({ ctx, input }) => orders.changeState(ctx, input, 'SHIPPED')),

  markDelivered: tenantProcedure('editor')
    .meta(rest('POST', '/orders/{id}/delivered', out.orderSchema, { summary: 'Mark an order delivered', tags }))
    .input(orderIdInput)
    .mutation(({ ctx, input }) => orders.changeState(ctx, input, 'DELIVERED')),

  /** Gives back part or all of what was paid (never more) and issues a credit note. */
  refund: tenantProcedure('admin')
    .meta(rest('POST', '/orders/{id}/refund', out.orderRefundedSchema, { summary: 'Refund an order', tags }))
    .input(orderRefundInput)
    .mutation(({ ctx, input }) => orders.refund(ctx, input)),

  list: tenantProcedure('viewer')
    .meta(rest('GET', '/orders', out.orderPageSchema, { summary: "List a company's orders", tags }))
    .input(orderListInput)
    .query(({ ctx, input }) => orders.listOrders(ctx, input)),

  byId: tenantProcedure('viewer')
    .meta(rest('GET', '/orders/{id}', out.orderDetailSchema, { summary: 'Get an order', tags }))
    .input(orderIdInput)
    .query(({ ctx, input }) => orders.getOrder(ctx, input)),

  /** A customer's orders in the company, by their email. */
  history: tenantProcedure('viewer')
    .meta(rest('GET', '/customers/orders', out.orderPageSchema, { summary: "A customer's order history", tags }))
    .input(orderHistoryInput)
    .query(({ ctx, input }) => orders.customerHistory(ctx, input)),

  invoices: tenantProcedure('viewer')
    .meta(rest('GET', '/orders/{id}/invoices', out.invoiceListSchema, { summary: "An order's invoices", tags }))
    .input(orderIdInput)
    .query(({ ctx, input }) => orders.listInvoices(ctx, input)),

  /** An invoice's or credit note's PDF: a presigned download URL valid 5 minutes (PRECONDITION_FAILED until rendered). */
  invoiceDownload: tenantProcedure('viewer')
    .input(invoiceDownloadInput)
    .query(({ ctx, input }) => documents.invoiceDownload(ctx, input)),

  /** The order's print sheet for the lab (queued; unchanged items answer the same file). Poll printSheetStatus. */
  printSheet: tenantProcedure('editor')
    .input(printSheetInput)
    .mutation(({ ctx, input }) => documents.requestOrderPrintSheet(ctx, input)),

  /** A print sheet's state and warnings; when READY, a presigned download URL valid 5 minutes. */
  printSheetStatus: tenantProcedure('viewer')
    .input(printFileStatusInput)
    .query(({ ctx, input }) => documents.printFileStatus(ctx, input, 'sheet')),
});
