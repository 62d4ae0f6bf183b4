// Renders one proposal version on its real page (issue 23 item 1): control and variant at one width,
// full-page screenshots encoded with sharp, stored in the blob store, and the automatic checks
// (src/domain/renders/checks.ts). One Chromium per worker process, launched on first use.
import type { Config } from '../config.ts';
import type { ChangeSet } from '../shared/changes.ts';
import type { BlobStore } from '../blobs/store.ts';
import type { RenderCheck } from '../domain/renders/checks.ts';

export type Device = 'pc' | 'phone';

export interface RenderTarget {
  /** The page as a visitor outside every running test sees it (a control preview link). */
  controlUrl: string;
  /** The page with the version applied (its preview link). */
  variantUrl: string;
  device: Device;
  /** The version's change set: its selectors are checked against the variant page. */
  changes: ChangeSet;
}

export interface RenderedImage {
  /** The full-page image (PNG) in the blob store. */
  sha256: string;
  /** A 360 px wide thumbnail (WebP) in the blob store. */
  thumb_sha256: string;
  width: number;
  height: number;
  /** The page was taller than the maximum height and the image stops there. */
  clipped: boolean;
}

export interface RenderResult {
  control: RenderedImage;
  variant: RenderedImage;
  checks: RenderCheck[];
}

/** Why a page could not be rendered: the code shown on the proposal (Render.reason). */
export type RenderFailureReason = 'page_unreachable' | 'timeout' | 'browser_failed';

/** A render that could not be made; `reason` is what the activity records on the proposal. */
export class RenderFailure extends Error {
  constructor(
    readonly reason: RenderFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'RenderFailure';
  }
}

export interface Renderer {
  render(target: RenderTarget): Promise<RenderResult>;
  /** Closes the browser (the next render launches another). */
  close(): Promise<void>;
}

export function createRenderer(config: Pick<Config, 'render' | 'tools'>, blobs: BlobStore): Renderer {
  void config;
  void blobs;
  throw new Error('createRenderer: not implemented yet');
}
