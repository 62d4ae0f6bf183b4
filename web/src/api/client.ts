// The one typed client: paths and shapes come from web/src/api/schema.d.ts, generated from the app's
// own /openapi.json. Requests carry the session cookie (same origin); never a token.
import createClient from 'openapi-fetch';
import { queryKey, type GetParams, type GetPath, type ListShape } from './keys.ts';
import type { paths } from './schema';

export type Paths = paths;
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

/** JSON body of a path's method and status. */
export type Body<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends Record<S, { content: { 'application/json': infer B } }>
    ? B
    : never
  : never;

export interface ApiErrorDetail {
  path: string;
  message: string;
  /** What is wrong with the field, for app/messages.ts to say in words (older answers: absent). */
  code?: string;
  params?: Record<string, string | number>;
}

/** An API error in the project's shape, thrown by `must`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[] = [],
    /** Fill the code's sentence (app/messages.ts); `rule`: the broken rule's own code. */
    readonly params: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

/** Unwraps an openapi-fetch result: the data, or an ApiError with the API's message and details. */
export async function must<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (response.ok) return data as T;
  const e = (error as { error?: { code?: string; message?: string; details?: ApiErrorDetail[]; params?: Record<string, string | number> } } | undefined)?.error;
  if (response.status === 401) window.dispatchEvent(new Event('kaizen:unauthorized'));
  throw new ApiError(response.status, e?.code ?? 'error', e?.message ?? response.statusText, e?.details ?? [], e?.params ?? {});
}

/**
 * A GET as a query: its key (keys.ts) and its request made from the same path and params, so the two
 * cannot drift. `also`: what else decides the answer (see queryKey). Spread into useQuery.
 */
export function getQuery<P extends GetPath>(path: P, params: GetParams<P>, ...also: unknown[]) {
  return {
    queryKey: queryKey(path, params, ...also),
    queryFn: () => must(api.GET(path, { params } as never)) as Promise<Body<P, 'get'>>,
  };
}

/** Every page of a cursor-paged GET (a picker needs all clients, not the first 500), cached as 'every'. */
export function everyQuery<P extends GetPath>(path: P, params: GetParams<P>, ...also: unknown[]) {
  return {
    queryKey: queryKey(path, params, 'every' satisfies ListShape, ...also),
    queryFn: () => everyPage((after) => pageOf(path, params, after)) as Promise<Item<P>[]>,
  };
}

/** An item of a cursor-paged GET's answer. */
export type Item<P extends GetPath> = Body<P, 'get'> extends { items: (infer I)[] } ? I : never;
interface Paged {
  items: unknown[];
  next_after_id: number | null;
}

/** One page of a cursor-paged GET: `after` is the previous page's `next_after_id`. */
export function pageOf<P extends GetPath>(path: P, params: GetParams<P>, after: number | undefined) {
  const p = params as { query?: object };
  return must(api.GET(path, { params: { ...p, query: { ...p.query, after_id: after } } } as never)) as Promise<{ items: Item<P>[]; next_after_id: number | null }>;
}

async function everyPage(fetchPage: (after: number | undefined) => Promise<Paged>): Promise<unknown[]> {
  const out: unknown[] = [];
  let after: number | undefined;
  do {
    const page = await fetchPage(after);
    out.push(...page.items);
    after = page.next_after_id ?? undefined;
  } while (after !== undefined);
  return out;
}
