// The web client is typed from the app's own OpenAPI document: the committed
// web/src/api/schema.d.ts must be what openapi-typescript makes of /openapi.json today.
// `npm run gen:api` rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiTypes, SCHEMA_FILE } from '../../scripts/api-types.ts';

describe('web API types', () => {
  it('web/src/api/schema.d.ts matches /openapi.json (run `npm run gen:api` when this fails)', async () => {
    const fresh = await generateApiTypes();
    if (process.env.KAIZEN_UPDATE_API_TYPES === '1') writeFileSync(SCHEMA_FILE, fresh);
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed.length).toBeGreaterThan(1000);
    expect(committed === fresh, 'web/src/api/schema.d.ts is stale: run `npm run gen:api`').toBe(true);
  }, 60_000);
});
