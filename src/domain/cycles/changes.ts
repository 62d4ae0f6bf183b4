// The rules of a change set (the contract: src/shared/changes.ts) before it is stored: limits, CSS
// selectors, attribute names, safe URLs. Per field, either sanitised or refused:
// - insert_html is SANITISED (sanitize-html against the allowlist below) and stored sanitised, so what
//   the proposal shows is what a visitor gets; everything else is REFUSED with the field's path;
// - `javascript:`/`data:`/`vbscript:` (any case, with whitespace, control-character or CSS-escape
//   tricks) are refused in every value: redirect, attribute values, css, set_style, design_url.
// The custom script is stored as written; the site config serves it only once approved (servedChanges).
import { createHash } from 'node:crypto';
import sanitizeHtml from 'sanitize-html';
import type { ChangeSet, Mutation } from '../../shared/changes.ts';
import { INSERT_POSITIONS, MUTATION_ACTIONS } from '../../shared/changes.ts';
import { RuleError } from '../errors.ts';

export const CHANGE_LIMITS = {
  css: 20_000,
  mutations: 100,
  selector: 500,
  /** set_text, set_attribute and set_style values, class names. */
  value: 10_000,
  html: 50_000,
  js: 100_000,
  url: 2_000,
} as const;

const ATTRIBUTE_NAME = /^[a-zA-Z_:][-a-zA-Z0-9_:.]*$/;

// What inserted HTML may contain: common inline and block tags, links and images over http(s) (or
// relative to the page). No script, style, iframe, form or event handler survives.
const HTML_ALLOWLIST: sanitizeHtml.IOptions = {
  allowedTags: [
    'a', 'abbr', 'b', 'blockquote', 'br', 'button', 'caption', 'code', 'dd', 'del', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'section', 'small',
    'span', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
  ],
  allowedAttributes: {
    '*': ['class', 'id', 'title', 'role', 'aria-*', 'lang', 'dir'],
    a: ['href', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height', 'loading'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan', 'scope'],
  },
  allowedSchemes: ['http', 'https'],
  allowedSchemesByTag: {},
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

/** Inserted HTML as it may be stored: only the allowlist's tags, attributes and URL schemes. */
const sanitizeInsertedHtml = (html: string): string => sanitizeHtml(html, HTML_ALLOWLIST);

// Browsers drop ASCII whitespace and control characters inside a URL scheme ("java\tscript:").
const SCHEME_NOISE = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g;
const SCRIPT_SCHEME = /(javascript|vbscript|data):/;

/** Whether a value names a script or data URL anywhere (attribute values, redirects, links). */
export function hasScriptUrl(value: string): boolean {
  return SCRIPT_SCHEME.test(value.replace(SCHEME_NOISE, '').toLowerCase());
}

/** CSS with its escapes decoded and comments removed: what a browser's tokenizer sees. */
function cssAsRead(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, '')
    .replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_, hex: string) => {
      const code = parseInt(hex, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    })
    .replace(/\\(.)/g, '$1');
}

/** Why CSS (a style sheet or set_style's declarations) is refused, or null. */
export function cssProblem(css: string): string | null {
  const read = cssAsRead(css).replace(SCHEME_NOISE, '').toLowerCase();
  if (SCRIPT_SCHEME.test(read)) return 'must not contain javascript:, vbscript: or data: URLs';
  if (read.includes('expression(')) return 'must not contain expression()';
  if (read.includes('@import')) return 'must not @import other style sheets';
  if (read.includes('-moz-binding') || read.includes('behavior:')) return 'must not bind scripts (-moz-binding, behavior)';
  // The SDK adds the style sheet as a <style> element's text: nothing may close it.
  if (read.includes('</')) return 'must not contain "</"';
  return null;
}

const PAIRS: Record<string, string> = { ')': '(', ']': '[' };

/** Why a CSS selector is refused (a syntactic check; the browser's own parser is the final word), or null. */
export function selectorProblem(selector: string): string | null {
  if (typeof selector !== 'string' || selector.trim() === '') return 'must be a non-empty CSS selector';
  if (selector.length > CHANGE_LIMITS.selector) return `must be at most ${CHANGE_LIMITS.selector} characters`;
  if (/[<{};\u0000-\u001f\u007f]/.test(selector)) return 'is not a CSS selector (no <, {, }, ; or control characters)';
  const open: string[] = [];
  let quote: string | null = null;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') open.push(c);
    else if (c === ')' || c === ']') {
      if (open.pop() !== PAIRS[c]) return 'is not a CSS selector (unbalanced brackets)';
    }
  }
  if (quote || open.length) return 'is not a CSS selector (unbalanced brackets or quotes)';
  if (/^[\s,>+~]|[,>+~]\s*$/.test(selector)) return 'is not a CSS selector (starts or ends with a combinator)';
  return null;
}

/** Why an absolute http(s) URL is refused, or null. */
export function httpUrlProblem(url: string): string | null {
  if (hasScriptUrl(url)) return 'must not be a javascript:, vbscript: or data: URL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an absolute http(s) URL';
  if (url.length > CHANGE_LIMITS.url) return `must be at most ${CHANGE_LIMITS.url} characters`;
  return null;
}

const invalid = (path: string, problem: string) => new RuleError('invalid', `${path} ${problem}`, { path });

function text(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string') throw invalid(path, 'must be a string');
  if (value.length > max) throw invalid(path, `must be at most ${max} characters`);
  return value;
}

function selector(value: unknown, path: string): string {
  const s = text(value, path, CHANGE_LIMITS.selector);
  const problem = selectorProblem(s);
  if (problem) throw invalid(path, problem);
  return s;
}

function mutation(m: Mutation, at: string): Mutation {
  if (m === null || typeof m !== 'object') throw invalid(at, 'must be an object');
  if (!(MUTATION_ACTIONS as readonly string[]).includes(m.action)) throw invalid(`${at}/action`, `must be one of: ${MUTATION_ACTIONS.join(', ')}`);
  const sel = selector(m.selector, `${at}/selector`);
  switch (m.action) {
    case 'set_text':
      return { selector: sel, action: m.action, value: text(m.value, `${at}/value`, CHANGE_LIMITS.value) };
    case 'set_attribute':
    case 'remove_attribute': {
      const attribute = text(m.attribute, `${at}/attribute`, 100);
      if (!ATTRIBUTE_NAME.test(attribute)) throw invalid(`${at}/attribute`, 'is not an attribute name');
      const lower = attribute.toLowerCase();
      if (lower.startsWith('on')) throw invalid(`${at}/attribute`, 'must not be an event handler (on…)');
      if (m.action === 'remove_attribute') return { selector: sel, action: m.action, attribute };
      if (lower === 'style') throw invalid(`${at}/attribute`, 'must not be style: use set_style');
      if (lower === 'srcdoc') throw invalid(`${at}/attribute`, 'must not be srcdoc: use insert_html');
      const value = text(m.value, `${at}/value`, CHANGE_LIMITS.value);
      if (hasScriptUrl(value)) throw invalid(`${at}/value`, 'must not contain a javascript:, vbscript: or data: URL');
      return { selector: sel, action: m.action, attribute, value };
    }
    case 'add_class':
    case 'remove_class': {
      const value = text(m.value, `${at}/value`, 200);
      if (!/^[^\s"'<>]+$/.test(value)) throw invalid(`${at}/value`, 'must be one class name (no spaces)');
      return { selector: sel, action: m.action, value };
    }
    case 'set_style': {
      const value = text(m.value, `${at}/value`, CHANGE_LIMITS.value);
      const problem = cssProblem(value);
      if (problem) throw invalid(`${at}/value`, problem);
      return { selector: sel, action: m.action, value };
    }
    case 'insert_html': {
      if (!(INSERT_POSITIONS as readonly string[]).includes(m.position)) throw invalid(`${at}/position`, `must be one of: ${INSERT_POSITIONS.join(', ')}`);
      return { selector: sel, action: m.action, position: m.position, value: sanitizeInsertedHtml(text(m.value, `${at}/value`, CHANGE_LIMITS.html)) };
    }
    case 'remove':
      return { selector: sel, action: m.action };
    case 'move_before':
      return { selector: sel, action: m.action, target: selector(m.target, `${at}/target`) };
  }
}

/**
 * The change set as it is stored: validated and sanitised, or a RuleError `invalid` naming the field
 * under `base` (e.g. "/changes/mutations/3/selector"). `pageUrl`: the offer's page; a redirect must
 * stay on its origin.
 */
export function cleanChangeSet(changes: ChangeSet, pageUrl: string, base = '/changes'): ChangeSet {
  const out: ChangeSet = {};
  if (changes.css !== undefined) {
    const css = text(changes.css, `${base}/css`, CHANGE_LIMITS.css);
    const problem = cssProblem(css);
    if (problem) throw invalid(`${base}/css`, problem);
    out.css = css;
  }
  if (changes.mutations !== undefined) {
    if (!Array.isArray(changes.mutations)) throw invalid(`${base}/mutations`, 'must be a list');
    if (changes.mutations.length > CHANGE_LIMITS.mutations) throw invalid(`${base}/mutations`, `must have at most ${CHANGE_LIMITS.mutations} mutations`);
    out.mutations = changes.mutations.map((m, i) => mutation(m, `${base}/mutations/${i}`));
  }
  if (changes.redirect !== undefined) {
    const path = `${base}/redirect`;
    const problem = httpUrlProblem(text(changes.redirect, path, CHANGE_LIMITS.url));
    if (problem) throw invalid(path, problem);
    if (new URL(changes.redirect).origin !== new URL(pageUrl).origin) throw invalid(path, `must stay on the page's origin ${new URL(pageUrl).origin}`);
    out.redirect = changes.redirect;
  }
  if (changes.js !== undefined) out.js = text(changes.js, `${base}/js`, CHANGE_LIMITS.js);
  return out;
}

/** The sha256 (hex) of a custom script: what a CS manager's approval names. */
export const scriptHash = (js: string) => createHash('sha256').update(js, 'utf8').digest('hex');

/** Why a version's script may not be approved with `sha256` (null: it may). */
export function jsApprovalRefused(v: { version: number; js_sha256: string | null }, sha256: string): string | null {
  if (!v.js_sha256) return `version ${v.version} has no custom script to approve`;
  if (v.js_sha256 !== sha256.toLowerCase()) return `js_sha256 does not match version ${v.version}'s script (${v.js_sha256}): an approval applies to that exact text only`;
  return null;
}

/** A version's change set as the site serves it: its `js` only when approved for that exact text. */
export function servedChanges(changes: ChangeSet, approval: { js_sha256: string | null; js_approved_at: Date | null }): ChangeSet {
  const { js, ...rest } = changes;
  const approved = js !== undefined && approval.js_approved_at !== null && approval.js_sha256 === scriptHash(js);
  return approved ? { ...rest, js } : rest;
}
