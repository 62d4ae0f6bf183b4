// Request and response shapes of an offer's Q&A (issue 28.4) and the client's ordering ability (28.5).
import { Type } from 'typebox';
import { ANSWER_MAX, QUESTION_MAX } from '../../domain/cycles/questions.ts';
import { Actions, Id, Nullable, Timestamp } from './common.ts';

export const NewQuestion = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: QUESTION_MAX, pattern: '\\S', description: 'the question, as the offer\'s owners will read it' }) },
  { additionalProperties: false, examples: [{ body: 'May the hero image be replaced, or only its copy?' }] },
);
export const NewAnswer = Type.Object(
  { answer: Type.String({ minLength: 1, maxLength: ANSWER_MAX, pattern: '\\S', description: "published with the question to the offer's whole audience as the brief's next addendum" }) },
  { additionalProperties: false, examples: [{ answer: 'Yes: any image we hold the licence for (see the assets list).' }] },
);

export const Question = Type.Object({
  id: Id,
  offer_id: Id,
  hacker_id: Type.Union([Id, Type.Null()], { description: "who asked: for the asker and the offer's owners only" }),
  mine: Type.Boolean({ description: 'the caller asked it' }),
  body: Type.String(),
  answer: Nullable(Type.String()),
  answered_at: Nullable(Timestamp),
  created_at: Timestamp,
  addendum_number: Nullable(Type.Integer({ minimum: 1, description: "the answer's number among the brief's addenda" })),
  deadline_extended_to: Type.Union([Timestamp, Type.Null()], { description: "this addendum came in the offer's last day (qa_extension_seconds) and moved its deadline here (once per offer)" }),
  actions: Actions(['answer'] as const),
});

export const QuestionList = Type.Object({
  offer_id: Id,
  items: Type.Array(Question, { description: "hackers: answered questions and their own; the offer's owners: all" }),
  actions: Actions(['ask'] as const),
});

const Ratio = (d: string) => Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: `${d}; null when there is nothing to divide by` });
export const OrderingAbility = Type.Object({
  engagement_id: Id,
  client_id: Id,
  basis: Type.String({ description: 'how brief completeness is measured' }),
  months: Type.Array(
    Type.Object({
      month: Type.String({ description: 'YYYY-MM, Asia/Tokyo' }),
      offers: Type.Integer({ minimum: 0 }),
      brief_completeness: Ratio('mean completeness of the month\'s briefs, 0..1'),
      questions_per_offer: Ratio('questions asked per offer'),
      proposals_per_offer: Ratio('proposals per offer'),
      proposals_passed: Type.Integer({ minimum: 0, description: "proposals that passed CS's review" }),
      qa_pass_rate: Ratio("share of proposals that passed CS's review"),
      selection_rate: Ratio('share of proposals selected for a test'),
      win_rate: Ratio('share of decided tests with a winner'),
      uplift_yen: Type.Integer({ description: "the month's revenue uplift (lower CI bound), yen" }),
    }),
    { description: 'oldest month first' },
  ),
});
