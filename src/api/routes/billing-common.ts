// Schemas and helpers shared by the billing routes (invoices, receipts, partners).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { BillingRuleError } from '../../billing/errors.ts';
import { conflict, HttpError, notFound } from '../errors.ts';

export const FINANCE = ['admin', 'finance'] as const;
export const BId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const BMonth = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'Asia/Tokyo month, YYYY-MM' });
export const BDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' });
export const BIdParams = Type.Object({ id: BId }, { additionalProperties: false });
export const BError = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
  }),
});
export const billingErrors = { 400: BError, 401: BError, 403: BError, 404: BError, 409: BError } as const;

/** Business-rule failures become the API's error shape; the database's immutability guard becomes 409. */
export async function billingCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BillingRuleError) {
      if (err.kind === 'not_found') throw notFound(err.message.replace(/ not found$/, ''));
      if (err.kind === 'invalid') {
        const path = `/body${err.path ?? ''}`;
        const message = err.path ? err.message.replace(err.path, '').trim() : err.message;
        throw new HttpError(400, 'validation_error', `${path} ${message}`, [{ path, message }]);
      }
      throw conflict(err.message);
    }
    const pg = err as { code?: string; message?: string };
    if (pg?.code === 'P0001' && /immutable/.test(pg.message ?? '')) throw conflict(pg.message!);
    throw err;
  }
}

/** The partner a partner user is bound to; 404 (not 403) for any other partner, so none leaks. */
export function assertPartnerAccess(req: FastifyRequest, partnerId: number): void {
  if (req.user.role === 'partner' && req.user.partner_id !== partnerId) throw notFound('partner');
}
