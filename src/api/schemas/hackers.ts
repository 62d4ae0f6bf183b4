// Request and response shapes of growth hackers.
import { Type } from 'typebox';
import { Id, Name, Tag, Timestamp } from './common.ts';

const Kind = Type.Union([Type.Literal('individual'), Type.Literal('corporation')]);
const Residency = Type.Union([Type.Literal('resident'), Type.Literal('non_resident')]);
export const Hacker = Type.Object({
  id: Id,
  display_name: Type.String(),
  kind: Kind,
  residency: Residency,
  skills: Type.Array(Type.String()),
  industries: Type.Array(Type.String()),
  status: Type.String(),
  created_at: Timestamp,
});
export const HackerWithGrade = Type.Intersect([Hacker, Type.Object({ grade: Type.String({ description: 'gold, silver, bronze or none' }), grade_month: Type.Union([Type.String(), Type.Null()]) })]);
export const NewHacker = Type.Object(
  {
    display_name: Name,
    kind: Kind,
    residency: Residency,
    skills: Type.Optional(Type.Array(Tag, { maxItems: 30, uniqueItems: true, default: [] })),
    industries: Type.Optional(Type.Array(Tag, { maxItems: 30, uniqueItems: true, default: [] })),
  },
  { additionalProperties: false, examples: [{ display_name: 'Aiko Tanaka', kind: 'individual', residency: 'resident', skills: ['design', 'frontend'], industries: ['finance'] }] },
);
