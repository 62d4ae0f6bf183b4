import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorBody, ValidationError, type ErrorDetail } from '../domain/errors.ts';

/** An error with an HTTP status and a stable machine code; thrown by handlers. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'your role may not do this') => new HttpError(403, 'forbidden', message);
export const conflict = (message: string, details: ErrorDetail[] = []) =>
  new HttpError(409, 'conflict', message, details);
export const badRequest = (message: string, details: ErrorDetail[]) =>
  new HttpError(400, 'validation_error', message, details);

/**
 * Runs a human decision as a Temporal update: a validator's rejection becomes 409 with its reason, a
 * workflow that is gone becomes 409 with `gone`.
 */
export async function viaUpdate<R>(run: () => Promise<R>, gone = 'the workflow is no longer running'): Promise<R> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw conflict(err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError) throw conflict(gone);
    throw err;
  }
}

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** Turns Ajv issues into `{ path, message }` naming the field, e.g. "/body/monthly_fee_yen". */
function ajvDetails(context: string, issues: AjvIssue[]): ErrorDetail[] {
  return issues.map((i) => {
    let path = `/${context}${i.instancePath}`;
    let message = i.message ?? 'is invalid';
    if (i.keyword === 'required') path += `/${String(i.params.missingProperty)}`, (message = 'is required');
    if (i.keyword === 'additionalProperties') {
      path += `/${String(i.params.additionalProperty)}`;
      message = 'is not an allowed field';
    }
    if (i.keyword === 'enum') message = `must be one of: ${(i.params.allowedValues as unknown[]).join(', ')}`;
    return { path, message };
  });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & Partial<HttpError>, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send(errorBody(err.code, err.message, err.details));
    }
    if (err instanceof ValidationError) {
      const details = err.details.map((d) => ({ ...d, path: `/body${d.path.startsWith('/') ? '' : '/'}${d.path}` }));
      return reply.status(400).send(errorBody(err.code, err.message, details));
    }
    if (err.validation) {
      const details = ajvDetails(err.validationContext ?? 'body', err.validation as AjvIssue[]);
      const first = details[0];
      const message = first ? `${first.path} ${first.message}` : 'invalid request';
      return reply.status(400).send(errorBody('validation_error', message, details));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large...
      return reply.status(err.statusCode).send(errorBody(err.code?.toLowerCase() ?? 'bad_request', err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal_error', 'internal error; see the server log for request ' + request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
