// Request and response shapes of payee self-onboarding: a payee's own changes (waiting for finance's
// review), finance's queue and decisions, and the per-payee change log.
import { Type } from 'typebox';
import { Actions, Id, Nullable, PagedQuery, Timestamp } from './common.ts';
import { MaskedBank } from './payouts.ts';

export const PAYEE_CHANGE_ACTIONS = ['approve', 'reject', 'ask'] as const;

const ChangeStatus = Type.Union([Type.Literal('pending'), Type.Literal('needs_info'), Type.Literal('approved'), Type.Literal('rejected'), Type.Literal('superseded')], {
  description: 'pending (finance reviews) → approved | rejected | needs_info (finance asked; the payee answers with a new change) | superseded (a newer change replaced it)',
});

export const PayeeChange = Type.Object({
  id: Id,
  hacker_id: Id,
  display_name: Type.String(),
  status: ChangeStatus,
  fields: Type.Array(Type.String(), { description: 'the fields the change sets' }),
  changes: Type.Object(
    {
      legal_name: Type.Optional(Nullable(Type.String())),
      address: Type.Optional(Nullable(Type.String())),
      residency: Type.Optional(Type.String()),
      invoice: Type.Optional(Nullable(Type.Object({ registration_number: Type.String(), registered_on: Type.String(), expires_on: Type.Optional(Nullable(Type.String())) }))),
      treaty: Type.Optional(Nullable(Type.Object({ form_filed: Type.Boolean() }))),
      bank: Type.Optional(Nullable(MaskedBank)),
    },
    { description: 'the values entered; bank details masked' },
  ),
  submitted_by: Id,
  submitted_at: Timestamp,
  decided_by: Nullable(Id),
  decided_at: Nullable(Timestamp),
  comment: Nullable(Type.String({ description: "finance's reason (rejected) or question (needs_info)" })),
  actions: Actions(PAYEE_CHANGE_ACTIONS),
});

export const PayeeChangeLogEntry = Type.Object({
  id: Id,
  at: Timestamp,
  actor: Type.String({ description: 'user:<id>' }),
  action: Type.String({ description: 'payee_updated (finance/admin edit), payee_change_submitted | approved | rejected | needs_info' }),
  change_id: Nullable(Id),
  fields: Type.Array(Type.String()),
  bank: Nullable(Type.Union([MaskedBank, Type.Literal('removed'), Type.Literal('unchanged')])),
  reason: Nullable(Type.String()),
});

export const PayeeChanges = Type.Object({
  items: Type.Array(PayeeChange),
  log: Type.Array(PayeeChangeLogEntry),
});

export const PayeeChangeQueueQuery = PagedQuery({ status: Type.Optional(ChangeStatus) });

export const PayeeChangeDecisionBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })) },
  { additionalProperties: false, examples: [{ reason: 'the account holder name does not match the legal name' }] },
);

export const PayeeChangeReasonBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false, examples: [{ reason: 'please send a copy of the treaty form as filed' }] },
);
