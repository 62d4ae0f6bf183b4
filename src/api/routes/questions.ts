// Q&A on an offer (issue 28.4). Who sees the offer is cycles/offers.ts' rule; who sees a question and
// when one may be asked or answered, domain/cycles/questions.ts'. The answer is written first, then
// the cycle workflow is told (its timer may move the deadline); a lost signal is caught at the deadline.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { answerQuestion, askQuestion, listQuestions, questionFor } from '../../cycles/questions.ts';
import { cycleWorkflowOf } from '../../cycles/views.ts';
import { answerRefused, askRefused } from '../../domain/cycles/questions.ts';
import { addendumPublishedSignal } from '../../workflows/cycle.ts';
import { action, assertManages, manageRefusal, routeRefusal } from '../access.ts';
import { STAFF } from '../auth.ts';
import { authErrors, ErrorResponse, IdParams } from '../schemas/common.ts';
import { NewAnswer, NewQuestion, Question, QuestionList } from '../schemas/questions.ts';
import type { ApiDeps } from '../deps.ts';

type Row = Awaited<ReturnType<typeof listQuestions>>['items'][number];
type Engagement = { id: number; cs_manager_id: number; status: string };

function questionView(req: FastifyRequest, q: Row, engagement: Engagement): Static<typeof Question> {
  const mine = req.user.role === 'hacker' && req.user.hacker_id === q.hacker_id;
  return {
    id: q.id,
    offer_id: q.offer_id,
    hacker_id: req.user.role !== 'hacker' || mine ? q.hacker_id : null,
    mine,
    body: q.body,
    answer: q.answer,
    answered_at: q.answered_at?.toISOString() ?? null,
    created_at: q.created_at.toISOString(),
    addendum_number: q.addendum_number ?? null,
    deadline_extended_to: q.deadline_extended_to?.toISOString() ?? null,
    actions: {
      answer: action(
        routeRefusal(req, 'POST', '/v1/questions/:id/answer'),
        manageRefusal(req, engagement),
        answerRefused(q, { engagementStatus: engagement.status }) ?? undefined,
      ),
    },
  };
}

export const questionRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, { db, temporal }) => {
  app.get(
    '/v1/offers/:id/questions',
    {
      config: { roles: [...STAFF, 'client', 'hacker'] },
      schema: {
        tags: ['offers'],
        summary: "An offer's questions and answers (hackers: the answered ones and their own)",
        description: "404 when the offer is not offered to you. A question is visible to its asker and the offer's owners until it is answered, then to the offer's whole audience; each answer is the brief's numbered addendum.",
        params: IdParams,
        response: { 200: QuestionList, ...authErrors },
      },
    },
    async (req) => {
      const { offer, engagement, items } = await listQuestions(db, req.user, req.params.id);
      const window = { engagementStatus: offer.engagement_status, engagementEndReason: offer.engagement_end_reason, offerStatus: offer.status, deadline: offer.deadline };
      return {
        offer_id: offer.id,
        items: items.map((q) => questionView(req, q, engagement)),
        actions: { ask: action(routeRefusal(req, 'POST', '/v1/offers/:id/questions'), askRefused(window, new Date()) ?? undefined) },
      };
    },
  );

  app.post(
    '/v1/offers/:id/questions',
    {
      config: { roles: ['hacker'] },
      schema: {
        tags: ['offers'],
        summary: 'Ask a question on an offer (hackers who can see it)',
        description: "Until the offer's deadline; only you and the offer's owners see it until it is answered. 404 when the offer is not offered to you, 409 when it closed.",
        params: IdParams,
        body: NewQuestion,
        response: { 201: Question, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const q = await askQuestion(db, req.user, req.params.id, req.body.body);
      const { engagement } = await questionFor(db, req.user, q.id);
      req.log.info({ questionId: q.id, offerId: q.offer_id }, 'question asked');
      return reply.status(201).send(questionView(req, q, engagement));
    },
  );

  app.post(
    '/v1/questions/:id/answer',
    {
      config: { roles: [...STAFF, 'client'] },
      schema: {
        tags: ['offers'],
        summary: "Answer a question (the offer's client, its CS manager, admin)",
        description: "Publishes the question and the answer to the offer's whole audience and appends them to the brief as its next numbered addendum. An answer in the offer's last day (qa_extension_seconds) moves the deadline by a day, once per offer. Once only: 409 when already answered.",
        params: IdParams,
        body: NewAnswer,
        response: { 200: Question, ...authErrors, 409: ErrorResponse },
      },
    },
    async (req) => {
      const ctx = await questionFor(db, req.user, req.params.id);
      assertManages(req, ctx.engagement);
      const q = await answerQuestion(db, { userId: req.user.id }, ctx, req.body.answer);
      await temporal.workflow
        .getHandle(await cycleWorkflowOf(db, ctx.offer.cycle_id))
        .signal(addendumPublishedSignal, { offerId: ctx.offer.id })
        .catch((err) => req.log.warn({ err: String(err), offerId: ctx.offer.id }, 'answer saved; cycle signal failed (the deadline check catches it)'));
      req.log.info({ questionId: q.id, offerId: q.offer_id, addendum: q.addendum_number }, 'question answered');
      return questionView(req, q, ctx.engagement);
    },
  );
};
