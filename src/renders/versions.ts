// The screenshots of proposal versions as records (issue 23 item 1): rows inserted `pending` with the
// version (Postgres is the record), a render workflow per version started after the commit (and again
// by the worker's reconcile for any still pending), the workflow marking a row failed, and the renders
// as the API shows them. The render worker's use case is run.ts, the engine render.ts (neither is
// loaded by the API).
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { RenderCheck } from '../domain/renders/checks.ts';
import type { Selectable } from 'kysely';
import type { Db } from '../db/index.ts';
import type { RendersTable } from '../db/schema.ts';
import { renderVersionWorkflow, renderWorkflowId } from '../workflows/render.ts';

/** An image as the API shows it (src/api/schemas/renders.ts Image): URLs of GET /v1/images/:sha256. */
export interface ImageView {
  url: string;
  thumb_url: string;
  width: number;
  height: number;
}

/** A render as the API shows it (src/api/schemas/renders.ts Render). */
export interface RenderView {
  device: 'pc' | 'phone';
  version: number;
  status: 'pending' | 'rendered' | 'failed';
  reason: string | null;
  control: ImageView | null;
  variant: ImageView | null;
  checks: RenderCheck[];
  rendered_at: Date | null;
}

/**
 * Inserts the version's pending renders, one per device, in the caller's transaction. The key is the
 * sha256 of the change set as Postgres prints jsonb (canonical: key order and spacing fixed), the page
 * URL and the width (pc 1366 px, phone 390 px: the devices of src/api/schemas/renders.ts).
 */
export async function insertPendingRenders(q: Db, versionId: number): Promise<void> {
  await sql`
    insert into renders (proposal_version_id, device, render_key)
    select pv.id, d.device, encode(sha256(convert_to(pv.changes::text || E'\\n' || pg.url || E'\\n' || d.width, 'UTF8')), 'hex')
    from proposal_versions pv
    join proposals p on p.id = pv.proposal_id
    join offers o on o.id = p.offer_id
    join hypotheses h on h.id = o.hypothesis_id
    join pages pg on pg.id = h.page_id
    cross join (values ('pc', 1366), ('phone', 390)) as d (device, width)
    where pv.id = ${versionId}
    on conflict (proposal_version_id, device) do nothing`.execute(q);
}

/** Starts one version's render workflow; a second start of the same version joins the running one. */
export async function startRenderWorkflow(temporal: Client, taskQueue: string, versionId: number): Promise<void> {
  await temporal.workflow.start(renderVersionWorkflow, {
    workflowId: renderWorkflowId(versionId),
    taskQueue,
    args: [{ versionId }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    staticSummary: `Render proposal version #${versionId}`,
  });
}

/** Starts the render workflows of a proposal's versions that still have pending renders (after a submit or a revision). */
export async function startPendingRenders(db: Db, temporal: Client, taskQueue: string, proposalId: number): Promise<void> {
  const rows = await db
    .selectFrom('renders')
    .innerJoin('proposal_versions', 'proposal_versions.id', 'renders.proposal_version_id')
    .select('renders.proposal_version_id')
    .distinct()
    .where('proposal_versions.proposal_id', '=', proposalId)
    .where('renders.status', '=', 'pending')
    .execute();
  for (const r of rows) await startRenderWorkflow(temporal, taskQueue, r.proposal_version_id);
}

/** Starts a workflow for every version with pending renders (a submit whose start failed); the worker runs it on start. */
export async function reconcileRenders(db: Db, temporal: Client, taskQueue: string): Promise<number> {
  const rows = await db.selectFrom('renders').select('proposal_version_id').distinct().where('status', '=', 'pending').execute();
  for (const r of rows) await startRenderWorkflow(temporal, taskQueue, r.proposal_version_id);
  return rows.length;
}

export interface Stored {
  sha256: string;
  thumb_sha256: string;
  width: number;
  height: number;
}

type RenderRow = Awaited<ReturnType<typeof rowsOf>>[number];

export function storedOf(row: Selectable<RendersTable>, side: 'control' | 'variant'): Stored {
  return { sha256: row[`${side}_sha256`]!, thumb_sha256: row[`${side}_thumb_sha256`]!, width: row[`${side}_width`]!, height: row[`${side}_height`]! };
}

/** The version's renders still pending become `failed` with the reason (the workflow's last step, never stuck). */
export async function failRenders(db: Db, input: { versionId: number; reason: string }): Promise<number> {
  const r = await db
    .updateTable('renders')
    .set({ status: 'failed', reason: input.reason, updated_at: new Date() })
    .where('proposal_version_id', '=', input.versionId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

const rowsOf = (db: Db, versionIds: number[]) =>
  db
    .selectFrom('renders')
    .innerJoin('proposal_versions', 'proposal_versions.id', 'renders.proposal_version_id')
    .selectAll('renders')
    .select(['proposal_versions.version', 'proposal_versions.proposal_id'])
    .where('renders.proposal_version_id', 'in', versionIds)
    .orderBy('renders.proposal_version_id')
    .orderBy('renders.device')
    .execute();

export const imageUrl = (sha256: string) => `/v1/images/${sha256}`;

function imageOf(row: RenderRow, side: 'control' | 'variant'): ImageView | null {
  if (row.status !== 'rendered' || !row[`${side}_sha256`]) return null;
  const s = storedOf(row, side);
  return { url: imageUrl(s.sha256), thumb_url: imageUrl(s.thumb_sha256), width: s.width, height: s.height };
}

export function renderView(row: RenderRow): RenderView {
  return {
    device: row.device,
    version: row.version,
    status: row.status,
    reason: row.reason,
    control: imageOf(row, 'control'),
    variant: imageOf(row, 'variant'),
    checks: row.checks,
    rendered_at: row.rendered_at,
  };
}

/** The renders of the given versions (one query), by version id; a version without any maps to []. */
export async function rendersOfVersions(db: Db, versionIds: number[]): Promise<Map<number, RenderView[]>> {
  const out = new Map<number, RenderView[]>(versionIds.map((id) => [id, []]));
  if (versionIds.length === 0) return out;
  for (const row of await rowsOf(db, [...new Set(versionIds)])) out.get(row.proposal_version_id)!.push(renderView(row));
  return out;
}

/** The renders of the proposals' current versions (one query), by proposal id. */
export async function rendersOfProposals(db: Db, proposalIds: number[]): Promise<Map<number, RenderView[]>> {
  const out = new Map<number, RenderView[]>(proposalIds.map((id) => [id, []]));
  if (proposalIds.length === 0) return out;
  const rows = await db
    .selectFrom('renders')
    .innerJoin('proposal_versions', 'proposal_versions.id', 'renders.proposal_version_id')
    .innerJoin('proposals', (j) => j.onRef('proposals.id', '=', 'proposal_versions.proposal_id').onRef('proposals.version', '=', 'proposal_versions.version'))
    .selectAll('renders')
    .select(['proposal_versions.version', 'proposal_versions.proposal_id'])
    .where('proposals.id', 'in', [...new Set(proposalIds)])
    .orderBy('renders.device')
    .execute();
  for (const row of rows) out.get(row.proposal_id)!.push(renderView(row));
  return out;
}

/** The proposals whose renders show the image (as control or variant, full or thumbnail), a bounded number. */
export async function proposalsShowing(db: Db, sha256: string, limit = 50): Promise<number[]> {
  const rows = await db
    .selectFrom('renders')
    .innerJoin('proposal_versions', 'proposal_versions.id', 'renders.proposal_version_id')
    .select('proposal_versions.proposal_id')
    .distinct()
    .where('renders.status', '=', 'rendered')
    .where((eb) =>
      eb.or([eb('renders.control_sha256', '=', sha256), eb('renders.control_thumb_sha256', '=', sha256), eb('renders.variant_sha256', '=', sha256), eb('renders.variant_thumb_sha256', '=', sha256)]),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => r.proposal_id);
}

/** What a test's arm shows (issue 23 item 5): the proposal it runs and its images per device. */
export interface ArmShown {
  proposal: { id: number; version: number; title: string; author: string } | null;
  images: { device: 'pc' | 'phone'; image: ImageView }[];
}

/**
 * Each arm's proposal (the version the test runs) and images, by variant id: a variant's are its
 * version's variant shots; the control's are the control shots of the first variant's renders (the
 * page the variants were compared with). Two queries whatever the number of arms.
 */
export async function armsShown(db: Db, variants: { id: number; arm: string; proposal_version_id: number | null }[]): Promise<Map<number, ArmShown>> {
  const versionIds = variants.flatMap((v) => (v.proposal_version_id === null ? [] : [v.proposal_version_id]));
  const [proposals, renders] = await Promise.all([
    versionIds.length
      ? db
          .selectFrom('proposal_versions')
          .innerJoin('proposals', 'proposals.id', 'proposal_versions.proposal_id')
          .innerJoin('hackers', 'hackers.id', 'proposals.hacker_id')
          .select(['proposal_versions.id as version_id', 'proposals.id', 'proposal_versions.version', 'proposal_versions.title', 'hackers.display_name as author'])
          .where('proposal_versions.id', 'in', versionIds)
          .execute()
      : [],
    versionIds.length ? rowsOf(db, versionIds) : [],
  ]);
  const images = (versionId: number | null, side: 'control' | 'variant') =>
    renders.flatMap((r) => {
      const image = r.proposal_version_id === versionId ? imageOf(r, side) : null;
      return image ? [{ device: r.device, image }] : [];
    });
  const firstVariant = variants.find((v) => v.arm !== 'control' && v.proposal_version_id !== null)?.proposal_version_id ?? null;
  return new Map(
    variants.map((v) => {
      const p = proposals.find((x) => x.version_id === v.proposal_version_id);
      return [
        v.id,
        {
          proposal: p ? { id: p.id, version: p.version, title: p.title, author: p.author } : null,
          images: v.arm === 'control' ? images(firstVariant, 'control') : images(v.proposal_version_id, 'variant'),
        },
      ];
    }),
  );
}

/** A knowledge entry's pictures of its test: the control's and the winning arm's (none without a winner), by device. */
export interface KnowledgeImages {
  control: { device: 'pc' | 'phone'; image: ImageView }[];
  winner: { device: 'pc' | 'phone'; image: ImageView }[];
}

/** The pictures of the tests' knowledge entries (armsShown's rule for the control), by test id; three queries for any number. */
export async function knowledgeImages(db: Db, testIds: number[]): Promise<Map<number, KnowledgeImages>> {
  const out = new Map<number, KnowledgeImages>();
  if (testIds.length === 0) return out;
  const [variants, winners] = await Promise.all([
    db.selectFrom('variants').select(['id', 'test_id', 'arm', 'proposal_version_id']).where('test_id', 'in', testIds).orderBy('position').execute(),
    db.selectFrom('verdicts').select(['test_id', 'winner_variant_id']).where('test_id', 'in', testIds).where('kind', '=', 'final').execute(),
  ]);
  const shown = await armsShown(db, variants);
  for (const testId of testIds) {
    const arms = variants.filter((v) => v.test_id === testId);
    const winner = winners.find((w) => w.test_id === testId)?.winner_variant_id ?? null;
    const control = arms.find((v) => v.arm === 'control');
    out.set(testId, { control: control ? shown.get(control.id)!.images : [], winner: winner === null ? [] : (shown.get(winner)?.images ?? []) });
  }
  return out;
}

/** A cycle's offers with their selected proposals (current version, author) and renders: the cycle page's "what was chosen" (three queries). */
export async function selectedProposalsOf(db: Db, cycleId: number) {
  const [offers, selected] = await Promise.all([
    db.selectFrom('offers').select('id').where('cycle_id', '=', cycleId).orderBy('id').execute(),
    db
      .selectFrom('proposals')
      .innerJoin('offers', 'offers.id', 'proposals.offer_id')
      .innerJoin('hackers', 'hackers.id', 'proposals.hacker_id')
      .select(['proposals.id', 'proposals.offer_id', 'proposals.version', 'proposals.title', 'hackers.display_name as author'])
      .where('offers.cycle_id', '=', cycleId)
      .where('proposals.status', '=', 'selected')
      .orderBy('proposals.id')
      .execute(),
  ]);
  const renders = await rendersOfProposals(db, selected.map((p) => p.id));
  return offers.map((o) => ({
    offer_id: o.id,
    proposals: selected.filter((p) => p.offer_id === o.id).map(({ offer_id: _, ...p }) => ({ ...p, renders: renders.get(p.id) ?? [] })),
  }));
}
