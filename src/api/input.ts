// Input handling at the edge, so bad input is a 4xx in the project's error shape and never a 5xx:
// bodies are validated without type coercion (a `true` is not a yen amount), query strings and
// params may still parse numbers; NUL characters (which Postgres refuses) are a 400 naming the
// field; only UTF-8 bodies are read (others are a 415); a method a path does not have is a 405; and
// malformed requests Node refuses before routing (e.g. headers too large) get the same error shape.
import type { Socket } from 'node:net';
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import FindMyWay from 'find-my-way';
import { errorBody } from '../domain/errors.ts';
import { badRequest, HttpError } from './errors.ts';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

function ajv(coerce: boolean): Ajv {
  const options: Options = { allErrors: true, useDefaults: true, removeAdditional: false, coerceTypes: coerce ? 'array' : false, strict: false, addUsedSchema: false };
  return addFormats(new Ajv(options));
}

/** Bodies as sent (no coercion); query strings, params and headers are text, so numbers are parsed. */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = ajv(false);
  const text = ajv(true);
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object);
}

/** Answers what Node's HTTP parser refuses (before any route) in the project's error shape. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    errorBody(tooLarge ? 'request_header_fields_too_large' : 'bad_request', tooLarge ? 'The request headers are too large.' : 'The request is malformed and cannot be read.'),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The first string (or key) holding a NUL character, as a path like /body/name, or null. */
export function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}/${i}`);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return `${path}/${k.replace(/\u0000/g, '\\u0000')}`;
      const hit = findNul(v, `${path}/${k}`);
      if (hit) return hit;
    }
  }
  return null;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Registers the hooks; returns `allowedMethods(path)`, the methods a path has (for 405s), from a
 * router of every route the app declares.
 */
export function registerInputHandling(app: FastifyInstance): (path: string) => string[] {
  const routes = FindMyWay();
  app.addHook('onRoute', (route) => {
    // A catch-all (the web app's) serves any path: it says nothing about which methods a path has.
    if (route.url.includes('*')) return;
    for (const method of [route.method].flat()) {
      try {
        routes.on(method as 'GET', route.url, () => undefined);
      } catch {
        // The same path and method twice (HEAD for GET): already known.
      }
    }
  });
  const allowedMethods = (path: string) => METHODS.filter((m) => routes.find(m, path) !== null);
  app.addHook('onRequest', async (req, reply) => {
    // No route matched: a path another method serves is a 405 before any body is read.
    if (req.routeOptions.url === undefined) {
      const path = req.url.split('?')[0]!;
      const allowed = allowedMethods(path);
      if (allowed.length && !allowed.includes(req.method as (typeof METHODS)[number])) {
        reply.header('allow', allowHeader(allowed));
        throw new HttpError(405, 'method_not_allowed', `${path} does not accept ${req.method}; it accepts ${allowed.join(', ')}.`);
      }
    }
    const type = req.headers['content-type'];
    const charset = typeof type === 'string' ? /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase() : undefined;
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      throw new HttpError(415, 'unsupported_media_type', `Bodies must be UTF-8; charset=${charset} is not supported.`);
    }
  });
  app.addHook('preValidation', async (req) => {
    for (const [part, value] of [['params', req.params], ['querystring', req.query], ['body', req.body]] as const) {
      const path = findNul(value, `/${part}`);
      if (path) throw badRequest(`${path} must not contain a NUL character (\\u0000)`, [{ path, message: 'must not contain a NUL character (\\u0000)' }]);
    }
  });
  return allowedMethods;
}

/** The Allow header for a path's methods (HEAD comes with GET). */
export const allowHeader = (allowed: string[]) => [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
