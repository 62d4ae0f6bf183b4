// The one typed client: paths and shapes come from web/src/api/schema.d.ts, generated from the app's
// own /openapi.json. Requests carry the session cookie (same origin); never a token.
import createClient from 'openapi-fetch';
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
}

/** An API error in the project's shape, thrown by `must`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** Unwraps an openapi-fetch result: the data, or an ApiError with the API's message and details. */
export async function must<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (response.ok) return data as T;
  const e = (error as { error?: { code?: string; message?: string; details?: ApiErrorDetail[] } } | undefined)?.error;
  if (response.status === 401) window.dispatchEvent(new Event('kaizen:unauthorized'));
  throw new ApiError(response.status, e?.code ?? 'error', e?.message ?? response.statusText, e?.details ?? []);
}
