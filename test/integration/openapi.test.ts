// The OpenAPI document alone is enough to call the API: every route has a summary, says which roles
// may call it, has a real response shape (no open object), and every body has an example.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(() => h.close());

type Schema = { type?: string; properties?: object; additionalProperties?: unknown; examples?: unknown[]; example?: unknown };
type Operation = {
  summary?: string;
  description?: string;
  requestBody?: { content: Record<string, { schema: Schema; example?: unknown; examples?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};

describe('OpenAPI document', () => {
  it('describes every route: summary, roles, response shape, an example body', async () => {
    const doc = (await h.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const at = `${method.toUpperCase()} ${path}`;
        if (!op.summary) problems.push(`${at}: no summary`);
        if (path.startsWith('/v1') && !/Roles: /.test(op.description ?? '')) problems.push(`${at}: no roles in the description`);
        const media = op.requestBody?.content['application/json'];
        const hasExample = media && (media.example !== undefined || media.examples !== undefined || media.schema.examples?.length || media.schema.example !== undefined);
        if (media && !hasExample) problems.push(`${at}: body without an example`);
        const ok = op.responses['200'] ?? op.responses['201'];
        const shape = ok?.content?.['application/json']?.schema;
        if (shape && shape.type === 'object' && !shape.properties && shape.additionalProperties !== false) problems.push(`${at}: open-object response`);
      }
    }
    expect(problems).toEqual([]);
  });
});
