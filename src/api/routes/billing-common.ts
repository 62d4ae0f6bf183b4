// Schemas and helpers shared by the billing routes (invoices, receipts, partners).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../errors.ts';
import { authErrors, CalendarDate, ErrorResponse, Id, Month } from '../schemas/common.ts';

export const FINANCE = ['admin', 'finance'] as const;
// The project's common schemas under the names the billing routes use.
export const BId = Id;
export const BMonth = Month;
export const BDate = CalendarDate;
export const BIdParams = Type.Object({ id: BId }, { additionalProperties: false });
export const BError = ErrorResponse;
export const billingErrors = { ...authErrors, 409: ErrorResponse } as const;

/** The partner a partner user is bound to; 404 (not 403) for any other partner, so none leaks. */
export function assertPartnerAccess(req: FastifyRequest, partnerId: number): void {
  if (req.user.role === 'partner' && req.user.partner_id !== partnerId) throw notFound('partner');
}
