// The event catalogue: every event a person must act on or know about is one entry here — who receives
// it (from the event's data, through the same role and tenant facts the API enforces), the page it
// links to, its preference category, whether it can be turned off, and its ja/en message keys
// (messages.ts). Adding an event is one entry (and its two messages).
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { mayApprove } from '../domain/payouts/four-eyes.ts';
import type { Role } from '../shared/actor.ts';

/** Preference categories: what a person turns on, to a digest or off, one at a time. */
export const CATEGORIES = ['offers', 'proposals', 'cycle', 'tests', 'payout_approval', 'transfers', 'invoices'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface CatalogueEntry {
  /** The preference it falls under (and the one-click unsubscribe of its e-mails). */
  category: Category;
  /** User ids that receive it. */
  recipients(db: Db, data: EventData): Promise<number[]>;
  /** The exact web page it is about, for a recipient of `role`. */
  link(data: EventData, role: Role): string;
  /** false: nobody may turn its category off (a digest is allowed). Default true. */
  mutable?: boolean;
  /** Message keys (messages.ts): subject and body, in ja and en. */
  subject: string;
  body: string;
}

/** What an event carries: ids, names, dates and amounts (never secrets or bank details). */
export type EventData = Record<string, unknown>;

const id = (data: EventData, key: string): number => {
  const v = data[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`notification data lacks the id ${key}`);
  return v;
};

/** Users of one role, optionally narrowed. */
async function usersWhere(db: Db, where: { role: Role; clientId?: number; hackerIds?: number[]; partnerId?: number; ids?: number[] }): Promise<number[]> {
  if (where.hackerIds?.length === 0 || where.ids?.length === 0) return [];
  let q = db.selectFrom('users').select('id').where('role', '=', where.role);
  if (where.clientId !== undefined) q = q.where('client_id', '=', where.clientId);
  if (where.hackerIds) q = q.where('hacker_id', 'in', where.hackerIds);
  if (where.partnerId !== undefined) q = q.where('partner_id', '=', where.partnerId);
  if (where.ids) q = q.where('id', 'in', where.ids);
  return (await q.orderBy('id').execute()).map((r) => r.id);
}

/** The engagement behind a cycle: its CS manager (a user) and its client. */
async function cycleOwners(db: Db, cycleId: number) {
  return db
    .selectFrom('cycles')
    .innerJoin('engagements', 'engagements.id', 'cycles.engagement_id')
    .select(['engagements.cs_manager_id', 'engagements.client_id', 'engagements.id as engagement_id'])
    .where('cycles.id', '=', cycleId)
    .executeTakeFirstOrThrow();
}

const csAndClient = async (db: Db, cycleId: number) => {
  const o = await cycleOwners(db, cycleId);
  return [o.cs_manager_id, ...(await usersWhere(db, { role: 'client', clientId: o.client_id }))];
};

/** The hackers an offer was offered to (targeted rank, team, widened). */
async function invitedHackers(db: Db, offerId: number): Promise<number[]> {
  const rows = await db.selectFrom('offer_invitations').select('hacker_id').where('offer_id', '=', offerId).execute();
  return usersWhere(db, { role: 'hacker', hackerIds: rows.map((r) => r.hacker_id) });
}

/** The offer's proposals in the selection (`data.proposalIds`), or the others not withdrawn. */
async function proposalsOf(db: Db, d: EventData, selected: boolean) {
  const ids = Array.isArray(d.proposalIds) ? d.proposalIds.filter((x): x is number => typeof x === 'number') : [];
  let q = db.selectFrom('proposals').select('hacker_id').where('offer_id', '=', id(d, 'offerId'));
  if (selected) q = ids.length ? q.where('id', 'in', ids) : q.where(sql<boolean>`false`);
  else q = (ids.length ? q.where('id', 'not in', ids) : q).where('status', '!=', 'withdrawn');
  return q.execute();
}

async function testOwners(db: Db, testId: number) {
  const t = await db.selectFrom('tests').select(['cycle_id']).where('id', '=', testId).executeTakeFirstOrThrow();
  return { cycleId: t.cycle_id, ...(await cycleOwners(db, t.cycle_id)) };
}

export const CATALOGUE = {
  'offer.published': {
    category: 'offers',
    // Invited hackers of a targeted offer, the team of a team offer (both are invitations).
    recipients: (db, d) => invitedHackers(db, id(d, 'offerId')),
    link: (d) => `/offers/${id(d, 'offerId')}`,
    subject: 'offer.published.subject',
    body: 'offer.published.body',
  },
  'offer.deadline_approaching': {
    category: 'offers',
    // Hackers invited or with a draft/submitted proposal on it.
    recipients: async (db, d) => {
      const authors = await db.selectFrom('proposals').select('hacker_id').where('offer_id', '=', id(d, 'offerId')).execute();
      const invited = await invitedHackers(db, id(d, 'offerId'));
      const drafting = await usersWhere(db, { role: 'hacker', hackerIds: authors.map((a) => a.hacker_id) });
      return [...new Set([...invited, ...drafting])];
    },
    link: (d) => `/offers/${id(d, 'offerId')}`,
    subject: 'offer.deadline_approaching.subject',
    body: 'offer.deadline_approaching.body',
  },
  'offer.widened': {
    category: 'offers',
    recipients: (db, d) => invitedHackers(db, id(d, 'offerId')),
    link: (d) => `/offers/${id(d, 'offerId')}`,
    subject: 'offer.widened.subject',
    body: 'offer.widened.body',
  },
  'proposal.selected': {
    category: 'proposals',
    // The authors of the offer's selected proposals.
    recipients: async (db, d) => usersWhere(db, { role: 'hacker', hackerIds: (await proposalsOf(db, d, true)).map((p) => p.hacker_id) }),
    link: (d) => `/offers/${id(d, 'offerId')}`,
    subject: 'proposal.selected.subject',
    body: 'proposal.selected.body',
  },
  'proposal.not_selected': {
    category: 'proposals',
    // The authors of its other submitted proposals (one who also had one selected hears only that).
    recipients: async (db, d) => {
      const chosen = new Set((await proposalsOf(db, d, true)).map((p) => p.hacker_id));
      return usersWhere(db, { role: 'hacker', hackerIds: (await proposalsOf(db, d, false)).map((p) => p.hacker_id).filter((h) => !chosen.has(h)) });
    },
    link: (d) => `/offers/${id(d, 'offerId')}`,
    subject: 'proposal.not_selected.subject',
    body: 'proposal.not_selected.body',
  },
  'plan.due': {
    category: 'cycle',
    recipients: (db, d) => csAndClient(db, id(d, 'cycleId')),
    link: (d) => `/cycles/${id(d, 'cycleId')}`,
    subject: 'plan.due.subject',
    body: 'plan.due.body',
  },
  'selection.due': {
    category: 'cycle',
    recipients: (db, d) => csAndClient(db, id(d, 'cycleId')),
    link: (d) => `/cycles/${id(d, 'cycleId')}`,
    subject: 'selection.due.subject',
    body: 'selection.due.body',
  },
  'learnings.due': {
    category: 'cycle',
    recipients: async (db, d) => [(await cycleOwners(db, id(d, 'cycleId'))).cs_manager_id],
    link: (d) => `/cycles/${id(d, 'cycleId')}`,
    subject: 'learnings.due.subject',
    body: 'learnings.due.body',
  },
  'test.no_traffic': {
    category: 'tests',
    recipients: async (db, d) => [(await testOwners(db, id(d, 'testId'))).cs_manager_id],
    link: (d) => `/tests/${id(d, 'testId')}`,
    subject: 'test.no_traffic.subject',
    body: 'test.no_traffic.body',
  },
  'test.warning': {
    category: 'tests',
    recipients: async (db, d) => [(await testOwners(db, id(d, 'testId'))).cs_manager_id],
    link: (d) => `/tests/${id(d, 'testId')}`,
    subject: 'test.warning.subject',
    body: 'test.warning.body',
  },
  'test.verdict': {
    category: 'tests',
    // The client, CS and the hacker whose variant won.
    recipients: async (db, d) => {
      const o = await testOwners(db, id(d, 'testId'));
      const won = typeof d.winnerProposalId === 'number' ? await db.selectFrom('proposals').select('hacker_id').where('id', '=', d.winnerProposalId).executeTakeFirst() : undefined;
      const winner = won ? await usersWhere(db, { role: 'hacker', hackerIds: [won.hacker_id] }) : [];
      return [...new Set([o.cs_manager_id, ...(await usersWhere(db, { role: 'client', clientId: o.client_id })), ...winner])];
    },
    link: (d) => `/tests/${id(d, 'testId')}`,
    subject: 'test.verdict.subject',
    body: 'test.verdict.body',
  },
  'payout.awaiting_approval': {
    category: 'payout_approval',
    mutable: false,
    // Finance users who may approve under the four-eyes rule: never the preparer.
    recipients: async (db, d) => {
      const preparedBy = typeof d.preparedBy === 'number' ? d.preparedBy : null;
      const finance = await usersWhere(db, { role: 'finance' });
      return finance.filter((approver) => mayApprove({ approver, preparedBy }));
    },
    link: (d) => `/payout-runs/${id(d, 'runId')}`,
    subject: 'payout.awaiting_approval.subject',
    body: 'payout.awaiting_approval.body',
  },
  'payout.transfer_failed': {
    category: 'transfers',
    mutable: false,
    recipients: async (db, d) => [...(await usersWhere(db, { role: 'finance' })), ...(await usersWhere(db, { role: 'hacker', hackerIds: [id(d, 'hackerId')] }))],
    // The hacker fixes their bank details from their statements; finance retries from the run.
    link: (d, role) => (role === 'hacker' ? '/statements' : `/payout-runs/${id(d, 'runId')}`),
    subject: 'payout.transfer_failed.subject',
    body: 'payout.transfer_failed.body',
  },
  'invoice.issued': {
    category: 'invoices',
    recipients: async (db, d) => [
      ...(typeof d.clientId === 'number' ? await usersWhere(db, { role: 'client', clientId: d.clientId }) : []),
      ...(typeof d.partnerId === 'number' ? await usersWhere(db, { role: 'partner', partnerId: d.partnerId }) : []),
    ],
    link: () => '/invoices',
    subject: 'invoice.issued.subject',
    body: 'invoice.issued.body',
  },
  'invoice.overdue': {
    category: 'invoices',
    recipients: async (db, d) => {
      const cs = typeof d.clientId === 'number'
        ? (await db.selectFrom('engagements').select('cs_manager_id').distinct().where('client_id', '=', d.clientId).execute()).map((r) => r.cs_manager_id)
        : [];
      return [...new Set([...(await usersWhere(db, { role: 'finance' })), ...cs])];
    },
    link: () => '/invoices',
    subject: 'invoice.overdue.subject',
    body: 'invoice.overdue.body',
  },
} satisfies Record<string, CatalogueEntry>;

export type EventType = keyof typeof CATALOGUE;

/** Categories nobody may turn off (finance must hear of a run to approve, a payee of a failed transfer). */
export const LOCKED_CATEGORIES: readonly Category[] = [
  ...new Set(Object.values(CATALOGUE as Record<string, CatalogueEntry>).filter((e) => e.mutable === false).map((e) => e.category)),
];

export function entryOf(type: string): CatalogueEntry {
  const entry = (CATALOGUE as Record<string, CatalogueEntry>)[type];
  if (!entry) throw new Error(`unknown notification event type ${type}`);
  return entry;
}

export function isCategory(c: string): c is Category {
  return (CATEGORIES as readonly string[]).includes(c);
}
