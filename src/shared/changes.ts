// A variant is data: the change set a proposal carries, which the browser SDK applies to the client's
// real page before first paint. The server validates and sanitises it (src/domain/cycles/changes.ts),
// the site config serves it (src/site/config.ts), the SDK applies it (sdk/src/apply.ts): this file is
// the one contract between them, so it imports nothing (the SDK imports its types).

/** Where `insert_html` puts the sanitised HTML, relative to each matched element. */
export const INSERT_POSITIONS = ['before', 'after', 'inside_start', 'inside_end'] as const;
export type InsertPosition = (typeof INSERT_POSITIONS)[number];

export const MUTATION_ACTIONS = [
  'set_text',
  'set_attribute',
  'remove_attribute',
  'add_class',
  'remove_class',
  'set_style',
  'insert_html',
  'remove',
  'move_before',
] as const;
export type MutationAction = (typeof MUTATION_ACTIONS)[number];

/** One DOM change on every element `selector` matches (a CSS selector). */
export type Mutation =
  | { selector: string; action: 'set_text'; value: string }
  | { selector: string; action: 'set_attribute'; attribute: string; value: string }
  | { selector: string; action: 'remove_attribute'; attribute: string }
  | { selector: string; action: 'add_class' | 'remove_class'; value: string }
  /** `value`: CSS declarations, e.g. `color: red; font-weight: bold`. */
  | { selector: string; action: 'set_style'; value: string }
  | { selector: string; action: 'insert_html'; position: InsertPosition; value: string }
  | { selector: string; action: 'remove' }
  /** Moves each matched element before the first element `target` matches. */
  | { selector: string; action: 'move_before'; target: string };

export interface ChangeSet {
  /** A style sheet added to the page. */
  css?: string;
  mutations?: Mutation[];
  /** Split-URL variant: an absolute http(s) URL on the page's own origin; the visitor's query string is kept. */
  redirect?: string;
  /** Custom script: served only once a CS manager approved this exact text (its sha256). */
  js?: string;
}

/** A change set as the site config serves it: `js` only when approved. */
export type ServedChangeSet = ChangeSet;
