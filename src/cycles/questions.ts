// Q&A on an offer (issue 28.4): hackers of the offer's audience ask; the asker and the offer's owners
// see a question until it is answered; the answer is published to the whole audience as a numbered
// addendum to the brief. Who may see the offer is cycles/offers.ts' rule (visibleOffers), not ours.
import type { Db } from '../db/index.ts';
import { addendumText, answerRefused, askRefused, extendedDeadline, questionVisible } from '../domain/cycles/questions.ts';
import { RuleError } from '../domain/errors.ts';
import { offerFor, type Viewer } from './offers.ts';

const window = (o: Awaited<ReturnType<typeof offerFor>>) => ({
  engagementStatus: o.engagement_status,
  engagementEndReason: o.engagement_end_reason,
  offerStatus: o.status,
  deadline: o.deadline,
});

const questionColumns = [
  'offer_questions.id',
  'offer_questions.offer_id',
  'offer_questions.hacker_id',
  'offer_questions.body',
  'offer_questions.answer',
  'offer_questions.answered_at',
  'offer_questions.created_at',
  'offer_addenda.number as addendum_number',
  'offer_addenda.deadline_extended_to',
] as const;

/** A hacker asks a question on an offer it may see, while the offer takes proposals. */
export async function askQuestion(db: Db, viewer: Viewer & { id: number }, offerId: number, body: string) {
  const offer = await offerFor(db, viewer, offerId);
  const refused = askRefused(window(offer), new Date());
  if (refused) throw new RuleError('conflict', refused);
  const row = await db
    .insertInto('offer_questions')
    .values({ offer_id: offer.id, hacker_id: viewer.hacker_id!, asked_by: viewer.id, body: body.trim() })
    .returning(['id'])
    .executeTakeFirstOrThrow();
  return (await questionRows(db, offer.id, row.id))[0]!;
}

function questionRows(db: Db, offerId: number, questionId?: number) {
  let q = db
    .selectFrom('offer_questions')
    .leftJoin('offer_addenda', 'offer_addenda.question_id', 'offer_questions.id')
    .select(questionColumns)
    .where('offer_questions.offer_id', '=', offerId)
    .orderBy('offer_questions.id');
  if (questionId !== undefined) q = q.where('offer_questions.id', '=', questionId);
  return q.execute();
}

/** The questions of an offer the viewer may see (404 for an offer it may not see), and the offer. */
export async function listQuestions(db: Db, viewer: Viewer, offerId: number) {
  const offer = await offerFor(db, viewer, offerId);
  const rows = await questionRows(db, offer.id);
  const engagement = await db.selectFrom('engagements').select(['id', 'cs_manager_id', 'status']).where('id', '=', offer.engagement_id).executeTakeFirstOrThrow();
  return { offer, engagement, items: rows.filter((q) => questionVisible(q, viewer)) };
}

/** A question with its offer and engagement, as the viewer may see it (404 otherwise). */
export async function questionFor(db: Db, viewer: Viewer, questionId: number) {
  const q = await db.selectFrom('offer_questions').select(['id', 'offer_id', 'hacker_id', 'answered_at']).where('id', '=', questionId).executeTakeFirst();
  if (!q || !questionVisible(q, viewer)) throw new RuleError('not_found', 'question not found');
  const offer = await offerFor(db, viewer, q.offer_id).catch(() => {
    throw new RuleError('not_found', 'question not found');
  });
  const engagement = await db.selectFrom('engagements').select(['id', 'cs_manager_id', 'status']).where('id', '=', offer.engagement_id).executeTakeFirstOrThrow();
  return { question: q, offer, engagement };
}

/**
 * Answers a question once (the client or CS): in one transaction the answer is stored and appended
 * to the brief as the offer's next numbered addendum (numbered under a lock on the offer row).
 */
export async function answerQuestion(db: Db, actor: { userId: number }, ctx: Awaited<ReturnType<typeof questionFor>>, answer: string) {
  await db.transaction().execute(async (trx) => {
    await trx.selectFrom('offers').select('id').where('id', '=', ctx.offer.id).forUpdate().executeTakeFirstOrThrow();
    const q = await trx.selectFrom('offer_questions').select(['id', 'body', 'answered_at']).where('id', '=', ctx.question.id).forUpdate().executeTakeFirstOrThrow();
    const refused = answerRefused(q, { engagementStatus: ctx.engagement.status });
    if (refused) throw new RuleError('conflict', refused);
    const now = new Date();
    await trx.updateTable('offer_questions').set({ answer: answer.trim(), answered_by: actor.userId, answered_at: now }).where('id', '=', q.id).execute();
    const last = await trx.selectFrom('offer_addenda').select((eb) => eb.fn.max('number').as('n')).where('offer_id', '=', ctx.offer.id).executeTakeFirst();
    const number = Number(last?.n ?? 0) + 1;
    await trx.insertInto('offer_addenda').values({ offer_id: ctx.offer.id, number, question_id: q.id, text: addendumText(number, q.body, answer), created_at: now }).execute();
  });
  return (await questionRows(db, ctx.offer.id, ctx.question.id))[0]!;
}

/**
 * The cycle workflow's timer asks this when an answer was published (signal) and at the deadline (so
 * a lost signal loses nothing): an addendum within `qa_extension_seconds` before the deadline moves
 * it by as much, once per offer. Returns the offer's deadline, moved or not.
 */
export async function extendForAddendum(db: Db, input: { offerId: number }) {
  return db.transaction().execute(async (trx) => {
    const offer = await trx
      .selectFrom('offers')
      .innerJoin('cycles', 'cycles.id', 'offers.cycle_id')
      .innerJoin('engagement_settings', 'engagement_settings.engagement_id', 'cycles.engagement_id')
      .select(['offers.id', 'offers.deadline', 'offers.status', 'offers.qa_extended', 'engagement_settings.qa_extension_seconds'])
      .where('offers.id', '=', input.offerId)
      .forUpdate('offers')
      .executeTakeFirst();
    if (!offer) throw new RuleError('not_found', `offer ${input.offerId} does not exist`);
    const result = (deadline: Date, moved: boolean) => ({ deadline: deadline.toISOString(), moved });
    if (offer.qa_extended) return result(offer.deadline, false);
    const addenda = await trx.selectFrom('offer_addenda').select(['id', 'created_at']).where('offer_id', '=', offer.id).orderBy('number').execute();
    for (const a of addenda) {
      const to = extendedDeadline(offer, a.created_at, offer.qa_extension_seconds * 1000);
      if (!to) continue;
      await trx.updateTable('offers').set({ deadline: to, qa_extended: true }).where('id', '=', offer.id).execute();
      await trx.updateTable('offer_addenda').set({ deadline_extended_to: to }).where('id', '=', a.id).execute();
      return result(to, true);
    }
    return result(offer.deadline, false);
  });
}

/** The offer's published Q&A as its addenda (numbered), for the knowledge entry; null when none. */
export async function addendaOf(db: Db, offerId: number): Promise<string | null> {
  const rows = await db.selectFrom('offer_addenda').select('text').where('offer_id', '=', offerId).orderBy('number').execute();
  return rows.length ? rows.map((r) => r.text).join('\n\n') : null;
}
