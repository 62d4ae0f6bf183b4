// The change set (src/shared/changes.ts) as requests and answers carry it. The schema checks the shape
// and the limits; the content rules (selectors, URLs, sanitised HTML) are domain/cycles/changes.ts's.
import { Type, type TSchema } from 'typebox';
import { CHANGE_LIMITS } from '../../domain/cycles/changes.ts';
import { INSERT_POSITIONS, type MutationAction } from '../../shared/changes.ts';

const Selector = Type.String({ minLength: 1, maxLength: CHANGE_LIMITS.selector, description: 'a CSS selector; the change applies to every element it matches' });
const Value = Type.String({ maxLength: CHANGE_LIMITS.value });
const Attribute = Type.String({ minLength: 1, maxLength: 100, description: 'an attribute name (not on…, not style: use set_style)' });

const mutation = <A extends MutationAction, P extends Record<string, TSchema>>(action: A, props: P, description: string) =>
  Type.Object({ selector: Selector, action: Type.Literal(action), ...props }, { additionalProperties: false, description });

/** One schema per action of the contract (a unit test checks they are exactly MUTATION_ACTIONS). */
export const MutationSchemas = [
  mutation('set_text', { value: Value }, 'replace the text content'),
  mutation('set_attribute', { attribute: Attribute, value: Value }, 'set an attribute (no javascript:/data: URL)'),
  mutation('remove_attribute', { attribute: Attribute }, 'remove an attribute'),
  mutation('add_class', { value: Type.String({ minLength: 1, maxLength: 200 }) }, 'add one class'),
  mutation('remove_class', { value: Type.String({ minLength: 1, maxLength: 200 }) }, 'remove one class'),
  mutation('set_style', { value: Value }, 'CSS declarations, e.g. "color: red; font-weight: bold"'),
  mutation('insert_html', { position: Type.Enum([...INSERT_POSITIONS]), value: Type.String({ maxLength: CHANGE_LIMITS.html }) }, 'insert HTML, stored sanitised against an allowlist'),
  mutation('remove', {}, 'remove the element'),
  mutation('move_before', { target: Selector }, 'move before the first element `target` matches'),
] as const;

export const ChangeSet = Type.Object(
  {
    css: Type.Optional(Type.String({ maxLength: CHANGE_LIMITS.css, description: 'a style sheet added to the page' })),
    mutations: Type.Optional(Type.Array(Type.Union([...MutationSchemas]), { maxItems: CHANGE_LIMITS.mutations })),
    redirect: Type.Optional(Type.String({ maxLength: CHANGE_LIMITS.url, description: "split-URL variant: an absolute http(s) URL on the page's origin" })),
    js: Type.Optional(Type.String({ maxLength: CHANGE_LIMITS.js, description: 'custom script: served only once a CS manager approved this exact text (its sha256)' })),
  },
  {
    additionalProperties: false,
    description: 'A variant as data: what the browser SDK applies before first paint (docs/changes.md)',
    examples: [{ css: '.cta { background: #e60 }', mutations: [{ selector: 'h1', action: 'set_text', value: 'Free shipping today' }] }],
  },
);
