// Renders one proposal version on its real page (issue 23 item 1): control and variant at one width,
// full-page screenshots encoded with sharp, stored in the blob store, and the automatic checks
// (src/domain/renders/checks.ts). One Chromium per worker process, launched on first use.
import pixelmatch from 'pixelmatch';
import { chromium, devices, errors, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import sharp from 'sharp';
import type { BlobStore } from '../blobs/store.ts';
import type { Config } from '../config.ts';
import { changeSetSelectors, PIXEL_THRESHOLD, renderChecks, type ImageDiff, type PageMeasure, type RenderCheck } from '../domain/renders/checks.ts';
import { resolveChromium } from '../infra/tools.ts';
import type { ChangeSet } from '../shared/changes.ts';

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
export type RenderFailureReason =
  /** The page did not load: connection refused, DNS, TLS, or an HTTP error status. */
  | 'page_unreachable'
  /** The page (or the SDK's preview on it) did not finish within KAIZEN_RENDER_TIMEOUT_MS. */
  | 'timeout'
  /** The page loaded but the SDK never showed the preview (snippet missing, wrong site key or origin). */
  | 'sdk_not_found'
  /** Chromium could not be started or crashed. */
  | 'browser_failed';

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

export const WIDTHS = { pc: 1366, phone: 390 } as const;
export const THUMB_WIDTH = 360;

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio'];

const CONTEXT: Record<Device, BrowserContextOptions> = {
  pc: { viewport: { width: WIDTHS.pc, height: 900 }, deviceScaleFactor: 1 },
  // A phone as the site's visitors have it (touch, a phone user agent), at scale 1: the image stays 390 px wide.
  phone: { viewport: { width: WIDTHS.phone, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, userAgent: devices['iPhone 14']!.userAgent },
};

interface Shot {
  png: Buffer;
  width: number;
  height: number;
  clipped: boolean;
  measure: PageMeasure;
}

/**
 * A renderer holding one Chromium (launched on the first render, launched again after a crash or
 * close()). Each render opens two fresh contexts (no cookies or storage shared with another render).
 */
export function createRenderer(config: Pick<Config, 'render' | 'tools'>, blobs: BlobStore): Renderer {
  let browser: Promise<Browser> | undefined;
  const launch = () => {
    browser ??= chromium.launch({ executablePath: resolveChromium(config.tools), headless: true, args: FLAGS }).then(
      (b) => {
        b.on('disconnected', () => (browser = undefined));
        return b;
      },
      (e: unknown) => {
        browser = undefined;
        throw new RenderFailure('browser_failed', `Chromium did not start: ${(e as Error).message}`);
      },
    );
    return browser;
  };

  async function shoot(url: string, device: Device, selectors: string[]): Promise<Shot> {
    const context = await (await launch()).newContext({ ...CONTEXT[device], locale: 'ja-JP', timezoneId: 'Asia/Tokyo', serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(config.render.timeoutMs);
      const pageErrors: string[] = [];
      const consoleErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
      await open(page, url, config.render.timeoutMs);
      const measured = await measure(page, selectors);
      const height = Math.min(measured.height, config.render.maxHeight);
      // The layout viewport: the device's width, or on a phone 980 px for a page without a viewport
      // meta tag, which the phone shows zoomed out to its width; so does the image.
      const deviceWidth = CONTEXT[device].viewport!.width;
      const shot = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: Math.max(deviceWidth, measured.viewportWidth), height }, animations: 'disabled', caret: 'hide', type: 'png' });
      const png = measured.viewportWidth > deviceWidth ? await sharp(shot).resize({ width: deviceWidth }).png().toBuffer() : shot;
      const meta = await sharp(png).metadata();
      return {
        png,
        width: meta.width!,
        height: meta.height!,
        clipped: measured.height > config.render.maxHeight,
        measure: { pageErrors, consoleErrors, selectorMatches: measured.matches, scrollWidth: measured.scrollWidth, viewportWidth: measured.viewportWidth },
      };
    } catch (e) {
      throw failure(e);
    } finally {
      await context.close().catch(() => undefined);
    }
  }

  async function store(shot: Shot): Promise<RenderedImage> {
    const thumb = await sharp(shot.png).resize({ width: THUMB_WIDTH }).webp({ quality: 80 }).toBuffer();
    const [sha256, thumb_sha256] = await Promise.all([blobs.put(shot.png, 'image/png'), blobs.put(thumb, 'image/webp')]);
    return { sha256, thumb_sha256, width: shot.width, height: shot.height, clipped: shot.clipped };
  }

  return {
    async render(target) {
      const selectors = changeSetSelectors(target.changes.mutations ?? []);
      // One after the other: a render worker's CPU is the bound, two pages at once only interleave.
      const control = await shoot(target.controlUrl, target.device, selectors);
      const variant = await shoot(target.variantUrl, target.device, selectors);
      const diff = await compare(control, variant);
      const [c, v] = await Promise.all([store(control), store(variant)]);
      return { control: c, variant: v, checks: renderChecks(target.device, control.measure, variant.measure, diff) };
    },
    async close() {
      const b = browser;
      browser = undefined;
      if (b) await (await b.catch(() => undefined))?.close();
    },
  };
}

/** Loads the page and waits until the SDK showed the preview and the page is painted. */
async function open(page: Page, url: string, timeoutMs: number): Promise<void> {
  const res = await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  if (res && res.status() >= 400) throw new RenderFailure('page_unreachable', `HTTP ${res.status()}`);
  try {
    // The SDK shows its preview bar right after applying the previewed change set.
    await page.waitForSelector('#kz-preview-bar', { state: 'attached', timeout: timeoutMs });
  } catch (e) {
    if (e instanceof errors.TimeoutError) throw new RenderFailure('sdk_not_found', 'the SDK did not show the preview on this page');
    throw e;
  }
  // The anti-flicker guard lifted (opacity back), web fonts loaded; then the bar leaves the picture.
  // (Code run in the page is given as text: the Node build has no DOM types.)
  await page.waitForFunction(`getComputedStyle(document.documentElement).opacity === '1'`, undefined, { timeout: timeoutMs });
  await page.evaluate(`(async () => {
    await document.fonts.ready;
    document.getElementById('kz-preview-bar')?.remove();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  })()`);
}

interface Measured {
  height: number;
  scrollWidth: number;
  viewportWidth: number;
  matches: Record<string, number>;
}

/** The page's full height and width and how many elements each selector matches (-1: invalid). */
function measure(page: Page, selectors: string[]): Promise<Measured> {
  return page.evaluate(`((sels) => {
    const el = document.documentElement;
    const matches = {};
    for (const s of sels) {
      try {
        matches[s] = document.querySelectorAll(s).length;
      } catch {
        matches[s] = -1;
      }
    }
    return { height: Math.max(el.scrollHeight, document.body ? document.body.scrollHeight : 0), scrollWidth: el.scrollWidth, viewportWidth: el.clientWidth, matches };
  })(${JSON.stringify(selectors)})`);
}

/** pixelmatch over the area both images cover (their width is the viewport's; heights may differ). */
async function compare(control: Shot, variant: Shot): Promise<ImageDiff> {
  const width = Math.min(control.width, variant.width);
  const height = Math.min(control.height, variant.height);
  const raw = (png: Buffer) => sharp(png).extract({ left: 0, top: 0, width, height }).ensureAlpha().raw().toBuffer();
  const [a, b] = await Promise.all([raw(control.png), raw(variant.png)]);
  const changedPixels = pixelmatch(a, b, undefined, width, height, { threshold: PIXEL_THRESHOLD });
  return { changedPixels, comparedPixels: width * height, heightsDiffer: control.height !== variant.height };
}

/** A RenderFailure for what Playwright threw (a RenderFailure passes through). */
function failure(e: unknown): Error {
  if (e instanceof RenderFailure) return e;
  if (e instanceof errors.TimeoutError) return new RenderFailure('timeout', e.message.split('\n')[0]!);
  const message = e instanceof Error ? e.message : String(e);
  if (/net::ERR_|NS_ERROR_/.test(message)) return new RenderFailure('page_unreachable', /net::ERR_[A-Z_]+/.exec(message)?.[0] ?? 'navigation failed');
  if (/Target (page, context or browser )?(has been )?closed|Browser closed|crash/i.test(message)) return new RenderFailure('browser_failed', message.split('\n')[0]!);
  return e instanceof Error ? e : new Error(message);
}
