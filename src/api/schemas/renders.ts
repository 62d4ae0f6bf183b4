// Screenshots of a proposal version on its real page (issue 23): what the proposal list and detail,
// a test's arms, the cycle view and a knowledge entry carry. Images are URLs of GET /v1/images/:sha256
// (content-addressed, checked against what the caller may see).
import { Type, type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

export const Device = Type.Union([Type.Literal('pc'), Type.Literal('phone')], { description: 'pc: 1366 px wide; phone: 390 px, touch, a phone user agent' });

export const Image = Type.Object({
  url: Type.String({ description: '/v1/images/<sha256>: the full-page image' }),
  thumb_url: Type.String({ description: '/v1/images/<sha256>: a small version for lists' }),
  width: Type.Integer(),
  height: Type.Integer(),
});

export const RenderCheck = Type.Object({
  name: Type.Union(
    [Type.Literal('page_errors'), Type.Literal('console_errors'), Type.Literal('unmatched_selectors'), Type.Literal('overflow'), Type.Literal('visible_change')],
    { description: 'page_errors / console_errors: the variant raised none; unmatched_selectors: every mutation matched; overflow: no horizontal scroll (phone); visible_change: the variant differs from the control' },
  ),
  ok: Type.Boolean(),
  /** Codes and numbers, not prose: the web renders them in the reader's language. */
  details: Type.Array(Type.String(), { description: 'e.g. the unmatched selectors, the first error messages, the changed-pixel share' }),
});

export const Render = Type.Object({
  device: Device,
  version: Type.Integer({ minimum: 1, description: 'the proposal version rendered' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('rendered'), Type.Literal('failed')]),
  /** Why it failed (a code such as page_unreachable, timeout, too_tall), shown on the proposal. */
  reason: Nullable(Type.String()),
  control: Nullable(Image),
  variant: Nullable(Image),
  checks: Type.Array(RenderCheck),
  rendered_at: Nullable(Timestamp),
});
export type Render = Static<typeof Render>;

/** Each arm's images on a test page and in a knowledge entry: the control's and each variant's. */
export const ArmImages = Type.Object({ device: Device, image: Image });

export const ImageParams = Type.Object(
  { sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: "the image's sha256 (hex), as in an Image's url" }) },
  { additionalProperties: false },
);
