// The render worker's use case (issue 23 item 1): one proposal version's pending renders, each reused
// from a rendered row with the same key or made by the renderer (src/renders/render.ts), written to
// its row (src/renders/versions.ts).
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { previewLink, previewTarget, resolvePreviewKey } from '../site/preview.ts';
import { RENDER_FAILED } from '../workflows/render.ts';
import { RenderFailure, type Renderer, type RenderResult } from './render.ts';
import { storedOf, type Stored } from './versions.ts';

export interface RenderDeps {
  db: Db;
  config: Pick<Config, 'preview' | 'databaseUrl' | 'dataDir'>;
  renderer: Renderer;
}

/**
 * The render worker's activity: each pending render of the version, from a rendered row with the same
 * key when there is one, else by the renderer (control: the page outside every test; variant: the
 * version's preview link). A rendered row is left as it is, so a retry redoes only what is missing.
 * A RenderFailure becomes a retryable failure of type RENDER_FAILED carrying its reason; when the
 * retries run out the workflow records that reason (failRenders).
 */
export async function renderVersion(deps: RenderDeps, input: { versionId: number }): Promise<{ rendered: number; reused: number }> {
  const { db } = deps;
  const pending = await db.selectFrom('renders').selectAll().where('proposal_version_id', '=', input.versionId).where('status', '=', 'pending').orderBy('device').execute();
  if (pending.length === 0) return { rendered: 0, reused: 0 };
  let attempt = 1;
  try {
    attempt = Context.current().info.attempt;
  } catch {
    // called outside an activity
  }
  await db.updateTable('renders').set({ attempts: attempt, updated_at: new Date() }).where('id', 'in', pending.map((r) => r.id)).execute();
  const version = await db.selectFrom('proposal_versions').select(['proposal_id', 'version', 'changes']).where('id', '=', input.versionId).executeTakeFirstOrThrow();
  const target = (await previewTarget(db, version.proposal_id, version.version))!;
  const key = resolvePreviewKey(deps.config);
  const variantUrl = previewLink(key, target, deps.config.preview.minutes).url;
  // The control: the page as a visitor outside every running test sees it (R1's control preview).
  const controlUrl = previewLink(key, { ...target, control: true }, deps.config.preview.minutes).url;
  let rendered = 0;
  let reused = 0;
  for (const row of pending) {
    const same = await db.selectFrom('renders').selectAll().where('render_key', '=', row.render_key).where('status', '=', 'rendered').limit(1).executeTakeFirst();
    let result: Pick<RenderResult, 'checks'> & { control: Stored; variant: Stored };
    if (same) {
      result = { control: storedOf(same, 'control'), variant: storedOf(same, 'variant'), checks: same.checks };
      reused++;
    } else {
      try {
        result = await deps.renderer.render({ controlUrl, variantUrl, device: row.device, changes: version.changes });
      } catch (err) {
        if (err instanceof RenderFailure) throw ApplicationFailure.create({ message: err.message, type: RENDER_FAILED, details: [err.reason] });
        throw err;
      }
      rendered++;
    }
    await db
      .updateTable('renders')
      .set({
        status: 'rendered',
        control_sha256: result.control.sha256,
        control_thumb_sha256: result.control.thumb_sha256,
        control_width: result.control.width,
        control_height: result.control.height,
        variant_sha256: result.variant.sha256,
        variant_thumb_sha256: result.variant.thumb_sha256,
        variant_width: result.variant.width,
        variant_height: result.variant.height,
        checks: JSON.stringify(result.checks),
        reason: null,
        rendered_at: new Date(),
        updated_at: new Date(),
      })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .execute();
  }
  return { rendered, reused };
}
