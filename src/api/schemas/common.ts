// Schemas reused across routes. Every route's schemas feed both validation and /openapi.json.
import { Type, type TProperties } from 'typebox';
import { TAG_PATTERN } from '../../domain/tags.ts';

export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
// Years 2000–2099: the span of the tax and holiday tables every month is checked against.
export const Month = Type.String({ pattern: '^20[0-9]{2}-(0[1-9]|1[0-2])$', description: 'Asia/Tokyo month, YYYY-MM (2000-01 to 2099-12)' });
/** A real calendar day (2031-02-30 and 0000-00-00 are refused), written YYYY-MM-DD. */
export const CalendarDate = Type.String({ format: 'date', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD (a real calendar day)' });

/** A file answer (PDF, CSV, a bank file) documented with its media type; the route sends it as is. */
export const FileAnswer = (mediaType: string, description: string) => ({ description, content: { [mediaType]: { schema: { type: 'string', format: 'binary' } } } });

/** An answer in JSON or, on request, CSV. */
export const JsonOrCsv = <T extends object>(json: T, description: string) => ({
  description,
  content: { 'application/json': { schema: json }, 'text/csv': { schema: { type: 'string' } } },
});
export const Yen = Type.Integer({ minimum: 1, maximum: 10_000_000_000, description: 'integer yen' });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
/** A tag, skill, industry or page type in any script (計測, CTA): stored and matched normalised (src/domain/tags.ts). */
export const Tag = Type.String({ minLength: 1, maxLength: 60, pattern: TAG_PATTERN });
/** A date-time: routes may return a Date (serialised as ISO 8601) or a string. */
export const Timestamp = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** One action the caller may or may not take now (access.ts `action`): the page shows what the server accepts. */
export const Action = Type.Object(
  { allowed: Type.Boolean(), reason: Nullable(Type.String({ description: 'why not: the sentence the refusal would carry' })) },
  { description: 'whether the caller may take this action now, computed by the checks the action itself enforces' },
);
/** A view's actions: each named one the caller may or may not take. */
export const Actions = <K extends string>(names: readonly K[]) => Type.Object(Object.fromEntries(names.map((n) => [n, Action])) as Record<K, typeof Action>);

/** A message's parameters: what fills its sentence in a page's catalogue (src/domain/messages.ts). */
export const MessageParams = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]));
/** A message as a code and its parameters, for pages to render in the reader's language. */
export const Message = Type.Object({ code: Type.String(), params: MessageParams });

/** Beside a view's `waiting_for` text: the same as a code and parameters (src/domain/messages.ts withWaitingFor). */
export const WaitingForCode = {
  waiting_for_code: Nullable(Type.String({ description: 'waiting_for as a code pages translate (WAITING_FOR_CODES)' })),
  waiting_for_params: MessageParams,
};

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'what went wrong, for pages to say it in the reader\'s language (src/domain/messages.ts ERROR_CODES)' }),
    message: Type.String({ description: 'the same in English, for API users' }),
    params: MessageParams,
    details: Type.Array(
      Type.Object({
        path: Type.String({ description: 'JSON pointer of the field, e.g. /body/industry' }),
        message: Type.String(),
        code: Type.String({ description: 'what is wrong with the field (FIELD_ERROR_CODES): required, max_length, slug, tag, rule…' }),
        params: MessageParams,
      }),
    ),
  }),
});

/** Standard error responses for an authenticated route (429: too many failed authentications from the caller's address or with its token's prefix, auth-limit.ts). */
/** 503: Postgres or Temporal unreachable (with Retry-After; errors.ts). Every authenticated route can answer it. */
export const authErrors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse } as const;

const pageParams = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'page size (default 100)' })),
  after_id: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'cursor: `next_after_id` of the previous page' })),
};

export const Pagination = Type.Object(pageParams, { additionalProperties: false });

/** A list route's query: its own filters plus `limit` and the `after_id` cursor. */
export const PagedQuery = <P extends TProperties>(filters: P) => Type.Object({ ...filters, ...pageParams }, { additionalProperties: false });

/** A page of items with the cursor of the next page (null on the last page). */
export const PageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), next_after_id: Nullable(Id) });

/** The cursor for the page after `items`, given the page size asked for. */
export function nextAfter<T extends { id: number }>(items: T[], limit: number): number | null {
  return items.length === limit && items.length > 0 ? items[items.length - 1]!.id : null;
}

export const OfferKind = Type.Union([Type.Literal('open'), Type.Literal('targeted'), Type.Literal('team')]);
export const Idempotency = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
