// The one query key: [path, params, ...also] — the OpenAPI path as web/src/api/schema.d.ts spells it
// ('/v1/engagements/{id}'), the request's `params` ({ path, query }) and, rarely, what else decides the
// cached answer (how a list is fetched, the version of the record it belongs to). Invalidating with a
// shorter key hits every key that starts with it; TanStack compares objects by the fields given, so
// queryKey('/v1/payout-runs/{id}/items', { path: { id } }) refreshes every filter and page of that run's items.
import type { paths } from './schema';

type GetOp<P extends keyof paths> = paths[P] extends { get: infer O } ? O : never;
/** The paths that answer GET. */
export type GetPath = { [P in keyof paths]: GetOp<P> extends never ? never : P }[keyof paths];
/** A GET's request parameters as openapi-fetch takes them (`params`): path and query. */
export type GetParams<P extends GetPath> = GetOp<P> extends { parameters: infer X } ? Omit<X, 'header' | 'cookie'> : never;

/** How a list is fetched, when the same request is also cached another way (one shape per key). */
export type ListShape = 'pages' | 'every';

export function queryKey<P extends GetPath>(path: P, params: Partial<GetParams<P>> = {}, ...also: unknown[]) {
  return [path, params, ...also] as const;
}
