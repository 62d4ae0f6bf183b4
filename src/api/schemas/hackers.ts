// Request and response shapes of growth hackers.
import { Type } from 'typebox';
import { PROPOSAL_FATES, type ProposalFate as ProposalFateName } from '../../domain/cycles/proposal-fate.ts';
import { LEDGER_KINDS, type LedgerKind } from '../../shared/cycles.ts';
import { Id, Month, Name, Nullable, Tag, Timestamp } from './common.ts';

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

// A hacker's track record and grade.
const Stats = {
  proposals: Type.Integer(),
  adopted: Type.Integer(),
  tests_won: Type.Integer(),
  tests_lost: Type.Integer(),
  tests_inconclusive: Type.Integer(),
  win_rate: Nullable(Type.Number({ description: 'won ÷ decided' })),
  shrunk_win_rate: Type.Number({ description: 'shrunk toward the platform prior (2.5 wins in 10)' }),
  median_win_lift: Nullable(Type.Number({ description: 'median relative lift of the won tests' })),
  last_activity_at: Nullable(Type.String({ format: 'date-time' })),
};
const GradeName = Type.Union([Type.Literal('gold'), Type.Literal('silver'), Type.Literal('bronze'), Type.Literal('none')]);
export const TrackRecord = Type.Object({
  hacker_id: Id,
  overall: Type.Object(Stats),
  by_industry: Type.Array(Type.Object({ industry: Type.String(), ...Stats })),
  by_skill: Type.Array(Type.Object({ skill: Type.String(), ...Stats })),
  grade: GradeName,
  grade_month: Nullable(Month),
  grade_history: Type.Array(Type.Object({ month: Month, grade: GradeName, shrunk_win_rate: Type.Number(), decided_tests: Type.Integer(), wins: Type.Integer() })),
});

// Managed contracts: a monthly retainer paid in advance.
export const Contract = Type.Object({ id: Id, hacker_id: Id, monthly_retainer_yen: Type.Integer(), start_month: Month, end_month: Nullable(Month), created_by: Id, ended_by: Nullable(Id), created_at: Timestamp });
export const Contracts = Type.Object({ items: Type.Array(Contract) });
export const NewContract = Type.Object(
  { monthly_retainer_yen: Type.Integer({ minimum: 1, maximum: 100_000_000 }), start_month: Month, end_month: Type.Optional(Month) },
  { additionalProperties: false, examples: [{ monthly_retainer_yen: 300000, start_month: '2026-04' }] },
);
export const EndContract = Type.Object({ end_month: Month }, { additionalProperties: false, examples: [{ end_month: '2026-09' }] });

// A hacker's own work: proposals across offers with their fate, and earnings accruing in running cycles.
export const ProposalFate = Type.Unsafe<ProposalFateName>(Type.Union(PROPOSAL_FATES.map((f) => Type.Literal(f))));
export const HackerProposals = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Id,
      title: Type.String(),
      offer_id: Id,
      hypothesis: Type.String({ description: "the offer's hypothesis (the problem it addresses)" }),
      client_name: Type.String(),
      month: Month,
      test_id: Nullable(Id),
      review_comment: Nullable(Type.String({ description: "CS's reason when returned" })),
      submitted_at: Timestamp,
      fate: ProposalFate,
    }),
  ),
});
export const AccruingEarnings = Type.Object({
  lines: Type.Array(
    Type.Object({
      kind: Type.Unsafe<LedgerKind>(Type.Union(LEDGER_KINDS.map((k) => Type.Literal(k)))),
      cycle_id: Id,
      month: Month,
      client_name: Type.String(),
      offer_id: Nullable(Id),
      proposal_id: Nullable(Id),
      amount_yen: Type.Integer(),
      delivered_at: Timestamp,
      description: Type.String(),
    }),
  ),
  total_yen: Type.Integer(),
});
