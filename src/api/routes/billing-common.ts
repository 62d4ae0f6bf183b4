// Schemas and helpers shared by the billing routes (invoices, receipts, partners).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { BillingRuleError } from '../../billing/errors.ts';
import { conflict, HttpError, notFound } from '../errors.ts';
import { authErrors, CalendarDate, ErrorResponse, Id, Month } from '../schemas/common.ts';

export const FINANCE = ['admin', 'finance'] as const;
// The project's common schemas under the names the billing routes use.
export const BId = Id;
export const BMonth = Month;
export const BDate = CalendarDate;
export const BIdParams = Type.Object({ id: BId }, { additionalProperties: false });
export const BError = ErrorResponse;
export const billingErrors = { ...authErrors, 409: ErrorResponse } as const;

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
