import { productCreateInput, productListInput, productUpdateInput } from '@arvlite/contract';
import { z } from 'zod';
import * as out from '../rest/order-schemas.ts';
import { rest } from '../rest/meta.ts';
import * as orders from '../services/orders.ts';
import { router, tenantProcedure } from '../trpc.ts';
import { id } from '../validators.ts';

const tags = ['Products'];

/** A company's catalogue: prices are business settings, so admins and owners change them; everyone reads them. */
export const productRouter = router({
  create: tenantProcedure('admin')
    .meta(rest('POST', '/products', out.productSchema, { summary: 'Create a product', tags }))
    .input(productCreateInput)
    .mutation(({ ctx, input }) => orders.createProduct(ctx, input)),

  update: tenantProcedure('admin')
    .meta(rest('PATCH', '/products/{id}', out.productSchema, { summary: 'Update a product', tags }))
    .input(productUpdateInput)
    .mutation(({ ctx, input }) => orders.updateProduct(ctx, input)),

  archive: tenantProcedure('admin')
    .meta(rest('POST', '/products/{id}/archive', out.productSchema, { summary: 'Archive a product', tags }))
    .input(z.strictObject({ id }))
    .mutation(({ ctx, input }) => orders.archiveProduct(ctx, input)),

  list: tenantProcedure('viewer')
    .meta(rest('GET', '/products', out.productPageSchema, { summary: "List a company's products", tags }))
    .input(productListInput)
    .query(({ ctx, input }) => orders.listProducts(ctx, input)),
});
