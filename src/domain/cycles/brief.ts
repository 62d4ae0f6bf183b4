// The structured brief (オリエンシート, issue 28): its fields, the review's states and who may move
// them, industry templates, and the text an offer shows (rendered from the fields, so offers posted
// before briefs existed — one free-text hypothesis — and offers posted from a brief read alike).
import type { OfferKind } from '../../shared/cycles.ts';

export type BriefState = 'draft' | 'in_review' | 'approved' | 'posted';
export type Device = 'pc' | 'phone' | 'both';
export type Licence = 'owned' | 'licensed' | 'needs_clearance';
/** The kinds of change a deliverable's change set may carry (domain/cycles/changes.ts ops, grouped). */
export const CHANGE_KINDS = ['copy', 'style', 'layout', 'image', 'html', 'script'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface BriefAsset {
  name: string;
  /** sha256 of the bytes in the blob store (src/blobs). */
  sha256: string;
  content_type: string;
  licence: Licence;
}

export interface BriefContent {
  goal: string;
  primary_metric: 'conversion' | 'revenue';
  /** Metrics that must not get worse (issue 25's guardrail role), by name. */
  guardrails: string[];
  /** The engagement's pages; the first is where the test runs. */
  page_ids: number[];
  device: Device;
  /** "Based on <observation> we expect <expected_change> because <hypothesis>." */
  observation: string;
  hypothesis: string;
  expected_change: string;
  target_visitors: string;
  must_keep: string[];
  must_not: string[];
  /** Brand and legal constraints (景品表示法 / 薬機法 claims). */
  constraints: string;
  mandatory_notices: string[];
  assets: BriefAsset[];
  allowed_changes: ChangeKind[];
  skills: string[];
  /** Who sees the offer; null until someone chooses (the checklist asks for an explicit choice). */
  visibility: OfferKind | null;
  /** Past knowledge entries the author read (the checklist asks for one when the page has any). */
  reviewed_knowledge_ids: number[];
}

/** The fields CS may comment on (a field comment names one of these). */
export const BRIEF_FIELDS = [
  'goal', 'primary_metric', 'guardrails', 'page_ids', 'device', 'observation', 'hypothesis', 'expected_change', 'target_visitors',
  'must_keep', 'must_not', 'constraints', 'mandatory_notices', 'assets', 'allowed_changes', 'skills', 'visibility', 'reviewed_knowledge_ids',
] as const satisfies readonly (keyof BriefContent)[];

export const EMPTY_BRIEF: BriefContent = {
  goal: '', primary_metric: 'conversion', guardrails: [], page_ids: [], device: 'both', observation: '', hypothesis: '', expected_change: '',
  target_visitors: '', must_keep: [], must_not: [], constraints: '', mandatory_notices: [], assets: [], allowed_changes: ['copy', 'style', 'layout'],
  skills: [], visibility: null, reviewed_knowledge_ids: [],
};

/** Industries whose briefs must state their legal constraints (advertising and pharmaceutical law). */
export const REGULATED_INDUSTRIES = ['finance', 'cosmetics', 'health'] as const;

export type BriefTemplate = Partial<BriefContent>;

/** Industry templates: what a brief for such a client usually needs, prefilled (the author edits it). */
export const BRIEF_TEMPLATES: Record<string, BriefTemplate> = {
  finance: {
    goal: 'More completed applications',
    guardrails: ['application_errors'],
    must_keep: ['Interest rate and fee table', 'Company registration number (登録番号)'],
    must_not: ['Guaranteed approval wording', '"No screening" claims'],
    constraints: 'No misleading claims about approval or rates (景品表示法); rates shown with their conditions (貸金業法).',
    mandatory_notices: ['貸付条件の表示 (lending conditions)', 'ご返済計画をよく考えて (borrowing responsibly)'],
    allowed_changes: ['copy', 'style', 'layout'],
  },
  cosmetics: {
    goal: 'More first purchases of the trial set',
    guardrails: ['refund_requests'],
    must_keep: ['Ingredient list link', 'Price incl. tax'],
    must_not: ['Efficacy claims beyond the approved 56 cosmetics claims', 'Before/after photos'],
    constraints: '薬機法: only the approved cosmetics efficacy claims; 景品表示法: no exaggerated "No.1" without a source.',
    mandatory_notices: ['個人の感想です (testimonials are personal impressions)', '定期購入の条件 (subscription terms)'],
    allowed_changes: ['copy', 'style', 'layout', 'image'],
  },
  health: {
    goal: 'More sign-ups for the health programme',
    guardrails: ['cancellations'],
    must_keep: ['Medical supervision statement'],
    must_not: ['Cure or treatment claims', 'Weight-loss guarantees'],
    constraints: '薬機法: no claims of treating or preventing disease; 健康増進法: no exaggerated health claims.',
    mandatory_notices: ['効果には個人差があります (results vary)'],
    allowed_changes: ['copy', 'style', 'layout'],
  },
  recruiting: {
    goal: 'More job applications started',
    guardrails: ['application_drop_off'],
    must_keep: ['Wage and working hours', 'Employer name'],
    must_not: ['Wage figures without their conditions'],
    constraints: '職業安定法: working conditions stated accurately.',
    mandatory_notices: [],
    allowed_changes: ['copy', 'style', 'layout', 'image'],
  },
  ecommerce: {
    goal: 'More orders',
    guardrails: ['revenue_per_visitor'],
    primary_metric: 'conversion',
    must_keep: ['Price incl. tax', 'Shipping fee'],
    must_not: ['Fake countdown timers'],
    constraints: '',
    mandatory_notices: ['特定商取引法に基づく表記 link'],
    allowed_changes: ['copy', 'style', 'layout', 'image', 'html'],
  },
};

/** A new brief's content: the template's fields over the empty brief. */
export function briefFromTemplate(template: string | null): BriefContent {
  const t = template ? BRIEF_TEMPLATES[template] : undefined;
  return { ...EMPTY_BRIEF, ...(t ?? {}) };
}

export type BriefEvent = 'edit' | 'submit_for_review' | 'return' | 'approve' | 'post';

/**
 * Why a brief in `state` may not take `event` (undefined: it may). Who may take it (client or CS) is the
 * route's role check; this is the state rule, one place for the routes and the views' actions.
 */
export function briefTransitionRefused(state: BriefState, event: BriefEvent): string | undefined {
  const from: Record<BriefEvent, BriefState> = { edit: 'draft', submit_for_review: 'draft', return: 'in_review', approve: 'in_review', post: 'approved' };
  if (state === from[event]) return undefined;
  return `the brief is ${state}; ${event.replace(/_/g, ' ')} needs it ${from[event].replace('_', ' ')}`;
}

/** The hypothesis sentence ("based on … we expect … because …") from its three fields. */
export function hypothesisSentence(c: Pick<BriefContent, 'observation' | 'expected_change' | 'hypothesis'>): string {
  return `Based on ${c.observation.trim()}, we expect ${c.expected_change.trim()} because ${c.hypothesis.trim()}.`;
}

/** The offer's text, rendered from the brief's fields (plain text: the web escapes it when shown). */
export function renderBriefText(c: BriefContent, page: { url: string; page_type: string }): string {
  const list = (xs: string[]) => (xs.length ? xs.map((x) => `- ${x}`).join('\n') : '- (none)');
  return [
    `Goal: ${c.goal}`,
    hypothesisSentence(c),
    `Page: ${page.url} (${page.page_type}); device: ${c.device}; metric: ${c.primary_metric}${c.guardrails.length ? `; guardrails: ${c.guardrails.join(', ')}` : ''}`,
    c.target_visitors ? `Target visitors: ${c.target_visitors}` : '',
    `Must keep:\n${list(c.must_keep)}`,
    `Must not:\n${list(c.must_not)}`,
    c.constraints ? `Constraints: ${c.constraints}` : '',
    c.mandatory_notices.length ? `Mandatory notices:\n${list(c.mandatory_notices)}` : '',
    `Deliverable: a change set (${c.allowed_changes.join(', ')})`,
    c.assets.length ? `Assets:\n${list(c.assets.map((a) => `${a.name} (${a.licence})`))}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}
