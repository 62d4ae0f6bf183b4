// Request and response shapes of clients (the companies an engagement improves).
import { Type } from 'typebox';
import { Id, Name, Timestamp } from './common.ts';

export const Client = Type.Object({ id: Id, name: Type.String(), industry: Type.String(), created_at: Timestamp });
export const NewClient = Type.Object(
  { name: Name, industry: Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9][a-z0-9_-]*$' }) },
  { additionalProperties: false, examples: [{ name: '株式会社サンプル', industry: 'finance' }] },
);
