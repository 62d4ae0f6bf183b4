// Preview links: any proposal version opened on the client's real page (`?kz_preview=<token>`), the
// SDK forcing that version for that browser only. The token is signed (HMAC-SHA256 with the preview
// key) over exactly one proposal version, one client and an expiry, so it cannot be widened to another
// proposal or another site, nor outlive its minutes; the SDK's site key must be that client's.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.ts';
import { resolveDevKey } from '../infra/dev-keys.ts';
import type { Db } from '../db/index.ts';
import { servedChanges } from '../domain/cycles/changes.ts';
import { onPageControl } from '../domain/cycles/promotion.ts';
import { RuleError } from '../domain/errors.ts';
import { pageControlChanges } from './serving.ts';

export interface PreviewClaims {
  /** proposal_versions.id */
  version_id: number;
  client_id: number;
  /** Expiry, epoch seconds. */
  exp: number;
  /**
   * The version's page as a visitor outside every running test sees it (its served winner, if any)
   * instead of the version: the render worker's "before" picture (src/renders/render.ts).
   */
  control?: boolean;
}

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(`kz-preview.${payload}`).digest();

export function signPreview(key: Buffer, claims: PreviewClaims): string {
  const fields = [claims.version_id, claims.client_id, claims.exp, ...(claims.control ? [1] : [])];
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** The claims of a genuine, unexpired token; undefined for anything else. */
function verifyPreview(key: Buffer, token: string, now = Date.now()): PreviewClaims | undefined {
  const [payload, sig, extra] = token.split('.');
  if (!payload || !sig || extra !== undefined) return undefined;
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || (parsed.length !== 3 && !(parsed.length === 4 && parsed[3] === 1)) || !parsed.every((n) => Number.isSafeInteger(n))) return undefined;
  const [version_id, client_id, exp, control] = parsed as number[];
  if (exp! * 1000 <= now) return undefined;
  return { version_id: version_id!, client_id: client_id!, exp: exp!, ...(control === 1 ? { control: true } : {}) };
}

/**
 * The preview key: config.preview.key when set; otherwise, only for the embedded dev setup (no
 * DATABASE_URL), the key saved in `<dataDir>/preview-key`, generated (0600) on first use.
 */
export function resolvePreviewKey(config: Pick<Config, 'preview' | 'databaseUrl' | 'dataDir'>): Buffer {
  return resolveDevKey(config, config.preview.key, 'KAIZEN_PREVIEW_KEY', 'preview-key');
}

/** The page URL with `kz_preview=<token>` added, keeping its query string and fragment. */
function previewUrl(pageUrl: string, token: string): string {
  const url = new URL(pageUrl);
  url.searchParams.set('kz_preview', token);
  return url.toString();
}

/** A proposal version with its offer's page and client (version: the given one, else the current). */
export async function previewTarget(db: Db, proposalId: number, version?: number) {
  const row = await db
    .selectFrom('proposals')
    .innerJoin('proposal_versions', (j) => j.onRef('proposal_versions.proposal_id', '=', 'proposals.id'))
    .innerJoin('offers', 'offers.id', 'proposals.offer_id')
    .innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id')
    .innerJoin('pages', 'pages.id', 'hypotheses.page_id')
    .innerJoin('engagements', 'engagements.id', 'pages.engagement_id')
    .select([
      'proposals.id as proposal_id', 'proposals.hacker_id', 'proposal_versions.id as version_id', 'proposal_versions.version', 'proposal_versions.title',
      'proposal_versions.changes', 'proposal_versions.js_sha256', 'proposal_versions.js_approved_at', 'pages.url as page_url',
      'engagements.client_id', 'engagements.cs_manager_id',
    ])
    .where('proposals.id', '=', proposalId)
    .where((eb) => (version === undefined ? eb('proposal_versions.version', '=', eb.ref('proposals.version')) : eb('proposal_versions.version', '=', version)))
    .executeTakeFirst();
  return row;
}

/** A signed link to preview version `version_id` on its page, for `minutes` (`control`: its page without the version). */
export function previewLink(key: Buffer, t: { version_id: number; client_id: number; page_url: string; control?: boolean }, minutes: number, now = Date.now()) {
  const exp = Math.floor(now / 1000) + minutes * 60;
  const token = signPreview(key, { version_id: t.version_id, client_id: t.client_id, exp, ...(t.control ? { control: true } : {}) });
  return { url: previewUrl(t.page_url, token), token, expires_at: new Date(exp * 1000).toISOString() };
}

/** What the SDK shows for a token, only to the token's client's site key; a RuleError(not_found) otherwise. */
export async function previewFor(db: Db, key: Buffer, token: string, siteClientId: number) {
  const claims = verifyPreview(key, token);
  if (!claims || claims.client_id !== siteClientId) throw new RuleError('not_found', 'preview not found');
  const row = await db
    .selectFrom('proposal_versions')
    .innerJoin('proposals', 'proposals.id', 'proposal_versions.proposal_id')
    .innerJoin('offers', 'offers.id', 'proposals.offer_id')
    .innerJoin('hypotheses', 'hypotheses.id', 'offers.hypothesis_id')
    .innerJoin('pages', 'pages.id', 'hypotheses.page_id')
    .innerJoin('engagements', 'engagements.id', 'pages.engagement_id')
    .select(['proposals.id as proposal_id', 'proposal_versions.version', 'proposal_versions.title', 'proposal_versions.changes', 'proposal_versions.js_sha256', 'proposal_versions.js_approved_at', 'pages.id as page_id', 'pages.url as page_url', 'engagements.client_id'])
    .where('proposal_versions.id', '=', claims.version_id)
    .executeTakeFirst();
  if (!row || row.client_id !== siteClientId) throw new RuleError('not_found', 'preview not found');
  // As the site config gives them: the page's served winner (what a visitor in no test sees: the
  // control link's page) and the version on top of it (what the version's arm would show).
  const base = await pageControlChanges(db, row.page_id);
  const own = servedChanges(row.changes, { js_sha256: row.js_sha256, js_approved_at: row.js_approved_at });
  return {
    proposal_id: row.proposal_id,
    version: row.version,
    title: row.title,
    page_url: row.page_url,
    changes: claims.control ? (base ?? {}) : (onPageControl(base, own) ?? {}),
  };
}
