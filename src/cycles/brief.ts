// The structured brief's use cases (issue 28 items 1–3): drafts from industry templates, sanitised
// fields, the checklist from the page's data, CS's review (field comments, return, approve, a recorded
// override) and the hand-over to the plan (recordPlan marks the brief posted and links its hypothesis).
import sanitizeHtml from 'sanitize-html';
import type { Db } from '../db/index.ts';
import { briefChecklist, type Checklist } from '../domain/cycles/brief-checklist.ts';
import { briefFromTemplate, briefTransitionRefused, hypothesisSentence, type BriefContent, type BriefEvent, type BriefState } from '../domain/cycles/brief.ts';
import { RuleError } from '../domain/errors.ts';
import type { HypothesisInput } from '../shared/cycles.ts';
import { cycleRow, raiseAlert, settingsOf } from './context.ts';
import { relatedKnowledge } from './knowledge.ts';

const PLAIN: sanitizeHtml.IOptions = { allowedTags: [], allowedAttributes: {}, disallowedTagsMode: 'discard' };
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * One person writes a brief and others (CS, hackers) read it: every field is stored as plain text —
 * markup dropped by sanitize-html, its entity encoding undone once (the web escapes text it shows).
 */
export function plainText(s: string): string {
  return sanitizeHtml(s, PLAIN).replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m]!).trim();
}

export function sanitizeBrief(c: BriefContent): BriefContent {
  const list = (xs: string[]) => xs.map(plainText).filter(Boolean);
  return {
    ...c,
    goal: plainText(c.goal),
    guardrails: list(c.guardrails),
    observation: plainText(c.observation),
    hypothesis: plainText(c.hypothesis),
    expected_change: plainText(c.expected_change),
    target_visitors: plainText(c.target_visitors),
    must_keep: list(c.must_keep),
    must_not: list(c.must_not),
    constraints: plainText(c.constraints),
    mandatory_notices: list(c.mandatory_notices),
    assets: c.assets.map((a) => ({ ...a, name: plainText(a.name) || 'asset' })),
    skills: list(c.skills),
  };
}

export async function briefRow(db: Db, briefId: number) {
  const b = await db
    .selectFrom('briefs')
    .innerJoin('cycles', 'cycles.id', 'briefs.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .selectAll('briefs')
    .select(['cycles.engagement_id', 'cycles.phase as cycle_phase', 'engagements.client_id', 'engagements.cs_manager_id', 'engagements.status as engagement_status'])
    .where('briefs.id', '=', briefId)
    .executeTakeFirst();
  if (!b) throw new RuleError('not_found', 'brief not found');
  return { ...b, content: b.content as BriefContent };
}
export type BriefRow = Awaited<ReturnType<typeof briefRow>>;

/** The problems of a brief's pages: each must be a page of the cycle's engagement. */
export async function briefPageProblems(db: Db, engagementId: number, c: BriefContent) {
  const pages = await db.selectFrom('pages').select('id').where('engagement_id', '=', engagementId).execute();
  return c.page_ids.flatMap((id, i) => (pages.some((p) => p.id === id) ? [] : [{ path: `/body/content/page_ids/${i}`, message: 'is not a page of this engagement' }]));
}

export async function createBrief(db: Db, i: { cycleId: number; author: 'client' | 'cs'; userId: number; template: string | null; content?: BriefContent }) {
  const content = sanitizeBrief(i.content ?? briefFromTemplate(i.template));
  const row = await db
    .insertInto('briefs')
    .values({ cycle_id: i.cycleId, author: i.author, author_user_id: i.userId, template: i.template, content: JSON.stringify(content) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await briefEvent(db, row.id, 'create', i.userId, i.template ? `from the ${i.template} template` : null);
  return row.id;
}

async function briefEvent(db: Db, briefId: number, kind: string, userId: number | null, note: string | null) {
  await db.insertInto('brief_events').values({ brief_id: briefId, kind, actor_user_id: userId, note }).execute();
}

/** Moves a brief by `event` when its state allows (checked again in the UPDATE, so two clicks move it once). */
async function transition(db: Db, b: BriefRow, event: BriefEvent, to: BriefState, userId: number, note: string | null, extra: Record<string, unknown> = {}) {
  const refused = briefTransitionRefused(b.state, event);
  if (refused) throw new RuleError('conflict', refused);
  const updated = await db
    .updateTable('briefs')
    .set({ state: to, updated_at: new Date(), ...extra })
    .where('id', '=', b.id)
    .where('state', '=', b.state)
    .returning('id')
    .executeTakeFirst();
  if (!updated) throw new RuleError('conflict', 'the brief changed meanwhile; reload it');
  await briefEvent(db, b.id, event, userId, note);
}

export async function updateBrief(db: Db, b: BriefRow, content: BriefContent, userId: number) {
  await transition(db, b, 'edit', 'draft', userId, null, { content: JSON.stringify(sanitizeBrief(content)) });
}

export const submitBrief = (db: Db, b: BriefRow, userId: number) => transition(db, b, 'submit_for_review', 'in_review', userId, null);

/** CS sends the brief back to its author with a comment on each field that needs work. */
export async function returnBrief(db: Db, b: BriefRow, comments: { field: string; body: string }[], userId: number) {
  await db.transaction().execute(async (trx) => {
    await transition(trx, b, 'return', 'draft', userId, `${comments.length} field comment(s)`);
    await trx.insertInto('brief_comments').values(comments.map((c) => ({ brief_id: b.id, field: c.field, body: plainText(c.body) || '—', author_user_id: userId }))).execute();
  });
}

export const approveBrief = (db: Db, b: BriefRow, userId: number) => transition(db, b, 'approve', 'approved', userId, null, { approved_by: userId, approved_at: new Date() });

/** CS lets a brief whose checklist fails be posted anyway; the reason and who gave it are kept. */
export async function overrideChecklist(db: Db, b: BriefRow, reason: string, userId: number) {
  if (b.state === 'posted') throw new RuleError('conflict', 'the brief is posted already');
  const text = plainText(reason);
  await db.updateTable('briefs').set({ override_reason: text, override_by: userId, override_at: new Date(), updated_at: new Date() }).where('id', '=', b.id).execute();
  await briefEvent(db, b.id, 'override_checklist', userId, text);
}

/** The checklist of a brief from its data: the first page's traffic and baseline, the settings, the page's past entries. */
export async function checklistOf(db: Db, b: { engagement_id: number; client_id: number; content: BriefContent }): Promise<Checklist> {
  const pageId = b.content.page_ids[0];
  const [page, settings, client] = await Promise.all([
    pageId === undefined ? undefined : db.selectFrom('pages').selectAll().where('id', '=', pageId).where('engagement_id', '=', b.engagement_id).executeTakeFirst(),
    settingsOf(db, b.engagement_id),
    db.selectFrom('clients').select('industry').where('id', '=', b.client_id).executeTakeFirstOrThrow(),
  ]);
  const pageKnowledgeIds = page ? await pageKnowledge(db, b.client_id, page.url) : [];
  return briefChecklist({ content: b.content, industry: client.industry, page: page ?? null, settings, pageKnowledgeIds });
}

/** Ids of the client's knowledge entries for a page (matched by URL, across engagements, as the planning lookup does). */
async function pageKnowledge(db: Db, clientId: number, url: string): Promise<number[]> {
  const rows = await db
    .selectFrom('knowledge_entries')
    .innerJoin('pages', 'pages.id', 'knowledge_entries.page_id')
    .select('knowledge_entries.id')
    .where('knowledge_entries.client_id', '=', clientId)
    .where('pages.url', '=', url)
    .execute();
  return rows.map((r) => r.id);
}

/** Past entries to read for the brief, suggested by the planning lookup (same page first, then by words). */
export async function suggestedKnowledge(db: Db, b: { client_id: number; content: BriefContent }) {
  const pageId = b.content.page_ids[0];
  const page = pageId === undefined ? undefined : await db.selectFrom('pages').select('url').where('id', '=', pageId).executeTakeFirst();
  const text = [b.content.goal, b.content.observation, b.content.hypothesis].join(' ');
  return relatedKnowledge(db, { clientId: b.client_id, pageUrl: page?.url ?? null, text, limit: 5 });
}

/** Why the brief may not be posted now (state, the plan already submitted, the checklist), or undefined. */
export function postRefusal(b: BriefRow, checklist: Checklist, planSubmitted: boolean): string | undefined {
  return (
    briefTransitionRefused(b.state, 'post') ??
    (planSubmitted ? "this cycle's plan has already been submitted" : undefined) ??
    // An override lets a weak brief through, never one without the page its test runs on.
    (b.content.page_ids.length === 0 ? 'the brief names no page for its test' : undefined) ??
    (checklist.passed || b.override_reason ? undefined : `the checklist fails (${checklist.items.filter((i) => !i.passed).map((i) => i.rule).join(', ')}); CS may override it with a reason`)
  );
}

export async function cycleHasBriefs(db: Db, cycleId: number): Promise<boolean> {
  return (await db.selectFrom('briefs').select('id').where('cycle_id', '=', cycleId).limit(1).executeTakeFirst()) !== undefined;
}

export async function planSubmitted(db: Db, cycleId: number): Promise<boolean> {
  return (await db.selectFrom('hypotheses').select('id').where('cycle_id', '=', cycleId).limit(1).executeTakeFirst()) !== undefined;
}

/** The hypotheses of a plan posted from the cycle's approved briefs (each must be postable). */
export async function planFromBriefs(db: Db, cycleId: number): Promise<{ hypotheses: HypothesisInput[]; refusals: { briefId: number; reason: string }[] }> {
  const rows = await db.selectFrom('briefs').select('id').where('cycle_id', '=', cycleId).where('state', '=', 'approved').orderBy('id').execute();
  const hypotheses: HypothesisInput[] = [];
  const refusals: { briefId: number; reason: string }[] = [];
  for (const { id } of rows) {
    const b = await briefRow(db, id);
    const reason = postRefusal(b, await checklistOf(db, b), false);
    if (reason) refusals.push({ briefId: id, reason });
    else hypotheses.push(hypothesisOf(b));
  }
  return { hypotheses, refusals };
}

function hypothesisOf(b: BriefRow): HypothesisInput {
  const c = b.content;
  return {
    author: b.author,
    problem: hypothesisSentence(c),
    page_id: c.page_ids[0]!,
    metric: c.primary_metric,
    skills: c.skills,
    ...(c.visibility ? { offer_kind: c.visibility } : {}),
    brief_id: b.id,
  };
}

/** recordPlan's part: the briefs a plan was posted from become `posted`, linked to their hypotheses (once). */
export async function markBriefsPosted(db: Db, links: { briefId: number; hypothesisId: number; userId: number }[]) {
  for (const l of links) {
    const done = await db
      .updateTable('briefs')
      .set({ state: 'posted', hypothesis_id: l.hypothesisId, updated_at: new Date() })
      .where('id', '=', l.briefId)
      .where('hypothesis_id', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (done) await briefEvent(db, l.briefId, 'post', l.userId, `hypothesis ${l.hypothesisId}`);
  }
}

/**
 * The planning deadline passed with briefs nobody reviewed: each becomes CS's task (marked on the row,
 * so /v1/tasks lists it as overdue) with an alert — never silently skipped.
 */
export async function flagUnreviewedBriefs(db: Db, i: { cycleId: number }) {
  const c = await cycleRow(db, i.cycleId);
  const flagged = await db
    .updateTable('briefs')
    .set({ unreviewed_at_deadline: new Date() })
    .where('cycle_id', '=', i.cycleId)
    .where('state', 'in', ['draft', 'in_review', 'approved'])
    .where('unreviewed_at_deadline', 'is', null)
    .returning(['id', 'state'])
    .execute();
  for (const b of flagged) {
    await raiseAlert(db, { engagementId: c.engagement_id, cycleId: i.cycleId, kind: 'brief_unreviewed', key: `brief_unreviewed:${b.id}`, message: `Brief ${b.id} is still ${b.state} at the planning deadline` });
  }
  return { flagged: flagged.length };
}

/** Briefs waiting for CS: in review, or left unposted at the planning deadline (CS's engagements; admins all). */
export async function briefTasks(db: Db, user: { role: string; id: number }) {
  let q = db
    .selectFrom('briefs')
    .innerJoin('cycles', 'cycles.id', 'briefs.cycle_id')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['briefs.id', 'briefs.state', 'briefs.unreviewed_at_deadline', 'cycles.id as cycle_id', 'cycles.engagement_id', 'cycles.month', 'cycles.due_at'])
    .where('engagements.status', '!=', 'ended')
    .where('cycles.phase', '=', 'planning')
    .where((eb) => eb.or([eb('briefs.state', '=', 'in_review'), eb('briefs.unreviewed_at_deadline', 'is not', null)]))
    .where('briefs.state', '!=', 'posted')
    .orderBy('briefs.id')
    .limit(500);
  if (user.role === 'cs_manager') q = q.where('engagements.cs_manager_id', '=', user.id);
  return (await q.execute()).map((b) => ({
    kind: 'review_brief',
    brief_id: b.id,
    cycle_id: b.cycle_id,
    engagement_id: b.engagement_id,
    month: b.month,
    overdue: b.unreviewed_at_deadline !== null,
    due_at: b.due_at ? b.due_at.toISOString() : null,
    waiting_for: b.unreviewed_at_deadline ? `CS: brief ${b.id} is still ${b.state} after the planning deadline` : `CS to review brief ${b.id}`,
  }));
}
