// Preview mode: a page opened with `?kz_preview=<token>` (a signed, short-lived link for one proposal
// version and one client, made by POST /v1/proposals/:id/preview-link) shows that version to this
// browser tab only. The token is kept in sessionStorage so the tab's next pages stay in preview; it is
// never written to the shared config cache (config-cache.ts). The SDK sends no events while previewing.
import type { ChangeSet } from '../../src/shared/changes.ts';

const PREVIEW_PARAM = 'kz_preview';

/** GET /v1/site/preview's answer. */
export interface Preview {
  proposal_id: number;
  version: number;
  title: string;
  page_url: string;
  changes: ChangeSet;
}

const session = {
  get: () => {
    try {
      return sessionStorage.getItem(PREVIEW_PARAM);
    } catch {
      return null;
    }
  },
  set: (token: string | null) => {
    try {
      if (token) sessionStorage.setItem(PREVIEW_PARAM, token);
      else sessionStorage.removeItem(PREVIEW_PARAM);
    } catch {
      // Storage blocked: the preview lasts this page only.
    }
  },
};

// Set in localStorage while some tab of this browser may be previewing, so that an ordinary page view
// never opens sessionStorage: its first access is a synchronous trip to the browser process (0.3–2 ms
// measured by bench/sdk.ts), while localStorage is opened for the config anyway. Only a hint: the
// token itself stays in the tab's sessionStorage.
const HINT = 'kz_preview_until';
const hinted = () => {
  try {
    return Number(localStorage.getItem(HINT)) > Date.now();
  } catch {
    return false;
  }
};

/** The preview this tab is in (the URL's token, else the tab's earlier one), or null: none, or the server refused the token. */
export async function previewFor(api: string, key: string): Promise<Preview | null> {
  const token = new URL(location.href).searchParams.get(PREVIEW_PARAM) ?? (hinted() ? session.get() : null);
  if (!token) return null;
  const res = await fetch(`${api}/v1/site/preview?key=${encodeURIComponent(key)}&token=${encodeURIComponent(token)}`, { credentials: 'omit', cache: 'no-store' });
  // Invalid, expired or another site's token: a normal page, and the tab forgets it.
  session.set(res.ok ? token : null);
  try {
    // Longer than a link lives (30 minutes by default): an expired hint only costs the session read.
    if (res.ok) localStorage.setItem(HINT, String(Date.now() + 2 * 3600_000));
  } catch {
    // Storage blocked: the preview lasts this page only.
  }
  return res.ok ? ((await res.json()) as Preview) : null;
}

/** Ends the preview in this tab: the page again without the parameter. */
function leavePreview(): void {
  session.set(null);
  const url = new URL(location.href);
  url.searchParams.delete(PREVIEW_PARAM);
  location.replace(url.toString());
}

const TEXT = {
  en: { label: 'Preview', name: (p: Preview) => `Preview (only you see this): ${p.title} (version ${p.version})`, leave: 'Leave preview' },
  ja: { label: 'プレビュー', name: (p: Preview) => `プレビュー中（あなたにだけ表示）: ${p.title}（第${p.version}版）`, leave: 'プレビューを終了' },
};

/** A small fixed bar naming the proposal, with a "leave preview" button (Japanese or English by the browser's language). */
export function showPreviewBar(p: Preview): void {
  const t = /^ja\b/i.test(navigator.language) ? TEXT.ja : TEXT.en;
  const bar = document.createElement('div');
  bar.id = 'kz-preview-bar';
  bar.setAttribute('role', 'region');
  bar.setAttribute('aria-label', t.label);
  bar.style.cssText =
    'position:fixed;left:0;right:0;bottom:0;z-index:2147483647;display:flex;gap:12px;align-items:center;justify-content:center;padding:8px 12px;background:#1f2937;color:#fff;font:14px/1.4 system-ui,sans-serif';
  const text = document.createElement('span');
  // textContent: the title is the hacker's text, never HTML.
  text.textContent = t.name(p);
  const leave = document.createElement('button');
  leave.type = 'button';
  leave.textContent = t.leave;
  leave.style.cssText = 'padding:4px 10px;border:0;border-radius:4px;background:#fff;color:#1f2937;font:inherit;cursor:pointer';
  leave.onclick = leavePreview;
  bar.append(text, leave);
  const add = () => document.body.append(bar);
  if (document.body) add();
  else document.addEventListener('DOMContentLoaded', add, { once: true });
}
