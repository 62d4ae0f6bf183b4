// The brief's checklist (issue 28 item 2), computed from data: the editor shows it live, and an offer
// is posted only from a brief whose checklist passes or that CS overrode with a reason. Pure: the
// use case (src/cycles/brief.ts) loads the page, the settings and the page's past entries.
import { mde, sampleSize } from '../stats/index.ts';
import { REGULATED_INDUSTRIES, type BriefContent } from './brief.ts';
import { TEST_POWER } from './design.ts';

/** How long a month's test may gather visitors: four whole weeks (every weekday counted alike). */
export const BRIEF_TEST_DAYS = 28;

export type ChecklistRule = 'hypothesis_complete' | 'metric_measurable' | 'detectable_effect' | 'knowledge_reviewed' | 'visibility_chosen' | 'constraints_stated';

export interface ChecklistItem {
  rule: ChecklistRule;
  passed: boolean;
  /** What the item found, in words (the power sentence for detectable_effect). */
  detail: string;
}

export interface PowerFigures {
  /** The relative effect the page's traffic can detect in `days` at power 0.8 (null: none). */
  detectable_relative: number | null;
  days: number;
  /** Days the page's traffic needs for the month's MDE (null: never). */
  days_for_target: number | null;
  target_relative: number;
}

export interface Checklist {
  passed: boolean;
  /** Passed items / all items, 0..1 (the brief's completeness, B2's ordering-ability score). */
  score: number;
  items: ChecklistItem[];
  power: PowerFigures | null;
}

export interface ChecklistInput {
  content: BriefContent;
  industry: string;
  /** The brief's first page, or null when it names none of the engagement's pages. */
  page: { baseline_rate: number; daily_visitors: number; value_per_conversion_yen: number } | null;
  settings: { mde_relative: number; alpha: number };
  /** Ids of the client's past knowledge entries for the page. */
  pageKnowledgeIds: number[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The power calculation for a page: what its traffic detects in BRIEF_TEST_DAYS, and the days the target needs. */
export function briefPower(page: { baseline_rate: number; daily_visitors: number }, settings: { mde_relative: number; alpha: number }): PowerFigures {
  const design = { baseline_rate: page.baseline_rate, alpha: settings.alpha, power: TEST_POWER, variants: 2 };
  const n = page.daily_visitors * BRIEF_TEST_DAYS;
  const detectable = n >= 2 ? mde({ ...design, n_total: n }).mde_relative : null;
  let daysForTarget: number | null = null;
  try {
    daysForTarget = sampleSize({ ...design, mde_relative: settings.mde_relative, daily_traffic: page.daily_visitors }).days ?? null;
  } catch {
    daysForTarget = null; // an effect no practical sample detects
  }
  return { detectable_relative: detectable, days: BRIEF_TEST_DAYS, days_for_target: daysForTarget, target_relative: settings.mde_relative };
}

/** "with your traffic this test can detect a +X% change in N days" (the checklist's and the editor's sentence). */
export function powerSentence(p: PowerFigures): string {
  if (p.detectable_relative === null) return `with your traffic no change is detectable in ${p.days} days`;
  return `with your traffic this test can detect a +${pct(p.detectable_relative)} change in ${p.days} days`;
}

export function briefChecklist(input: ChecklistInput): Checklist {
  const c = input.content;
  const items: ChecklistItem[] = [];
  const item = (rule: ChecklistRule, passed: boolean, detail: string) => items.push({ rule, passed, detail });

  const missing = (['goal', 'observation', 'hypothesis', 'expected_change'] as const).filter((f) => !c[f].trim());
  item('hypothesis_complete', missing.length === 0, missing.length ? `missing: ${missing.join(', ')}` : 'goal and based on … we expect … because … are written');

  const page = input.page;
  let measurable: string | undefined;
  if (!page) measurable = 'the brief names no page of this engagement';
  else if (page.daily_visitors <= 0) measurable = 'the page has no traffic';
  else if (page.baseline_rate <= 0 || page.baseline_rate >= 1) measurable = `the page's baseline conversion rate (${page.baseline_rate}) cannot be tested`;
  else if (c.primary_metric === 'revenue' && page.value_per_conversion_yen <= 0) measurable = 'revenue needs a value per conversion on the page';
  item('metric_measurable', measurable === undefined, measurable ?? `${c.primary_metric} is measured on the page (baseline ${pct(page!.baseline_rate)}, ${page!.daily_visitors} visitors a day)`);

  let power: PowerFigures | null = null;
  if (measurable === undefined) {
    power = briefPower(page!, input.settings);
    const ok = power.detectable_relative !== null && power.detectable_relative <= input.settings.mde_relative;
    const need = power.days_for_target === null ? 'never reaches' : `needs ${power.days_for_target} days for`;
    item('detectable_effect', ok, `${powerSentence(power)}${ok ? '' : `; the month's +${pct(input.settings.mde_relative)} ${need} it`}`);
  } else {
    item('detectable_effect', false, 'no power calculation without a measurable metric');
  }

  const reviewed = c.reviewed_knowledge_ids.filter((id) => input.pageKnowledgeIds.includes(id));
  item(
    'knowledge_reviewed',
    input.pageKnowledgeIds.length === 0 || reviewed.length > 0,
    input.pageKnowledgeIds.length === 0 ? 'no past entries for this page' : `${reviewed.length} of ${input.pageKnowledgeIds.length} past entries for this page reviewed`,
  );

  item('visibility_chosen', c.visibility !== null, c.visibility ? `visibility: ${c.visibility}` : 'choose open, targeted or team');

  const regulated = (REGULATED_INDUSTRIES as readonly string[]).includes(input.industry);
  const stated = c.constraints.trim() !== '' || c.mandatory_notices.length > 0;
  item('constraints_stated', !regulated || stated, regulated ? (stated ? 'legal constraints stated' : `a ${input.industry} brief must state its legal constraints`) : 'no legal constraints required for this industry');

  const passedCount = items.filter((i) => i.passed).length;
  return { passed: passedCount === items.length, score: passedCount / items.length, items, power };
}
