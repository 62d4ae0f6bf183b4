// The demo clients' pages on the sample site (sdk/sample-site/: card-apply, cosme-cart, baito-jobs)
// and what the simulation knows about them: what a growth hacker changes on each (real change sets
// against the pages' stable ids and classes), the mistakes a hacker sometimes makes that CS sends
// back, and the hidden truth of their visitors (a plausible rate for the page type, and how big a
// real improvement or a harmful change can be).
import type { ChangeSet, Mutation } from '../shared/changes.ts';

/** One idea a hacker may put in a variant: its label (the proposal's title is made of them) and its changes. */
interface Piece {
  label: string;
  make: (r: () => number) => { mutations: Mutation[]; css?: string };
}

/** A mistake CS catches when it looks at the variant: it is put in, recognised, and its return comment. */
interface Flaw {
  put: (c: ChangeSet) => ChangeSet;
  present: (c: ChangeSet) => boolean;
  comment: string;
}

export interface DemoPage {
  /** Path on the client's sample site. */
  path: string;
  page_type: string;
  /** The page's true conversion rate before any test (what CS also enters as its baseline). */
  baseline: number;
  /** No change takes the page above this rate (diminishing returns). */
  ceiling: number;
  /** The relative size of a real improvement and of a harmful change, [low, high]. */
  gain: [number, number];
  loss: [number, number];
  daily_visitors: number;
  value_per_conversion_yen: number;
  problems: string[];
  pieces: Piece[];
}

const oneOf = <T>(r: () => number, xs: T[]) => xs[Math.floor(r() * xs.length)]!;
const text = (selector: string, values: string[]) => (r: () => number) => ({ mutations: [{ selector, action: 'set_text' as const, value: oneOf(r, values) }] });
const only = (...mutations: Mutation[]) => () => ({ mutations });

/** Kizuna Card: the credit-card application form (static). */
const CARD: DemoPage = {
  path: '/card-apply.html',
  page_type: 'form',
  baseline: 0.045,
  ceiling: 0.09,
  gain: [0.3, 0.6],
  loss: [0.12, 0.3],
  daily_visitors: 9000,
  value_per_conversion_yen: 12000,
  problems: ['Applicants drop at the income step of the form', 'The form asks for fields the review does not need', 'Applicants doubt the annual fee and the safety of their data'],
  pieces: [
    { label: '見出しで審査の速さを訴求', make: text('#hero-title', ['最短5分審査｜年会費永年無料のキズナカード', '3分で入力完了。キズナカードに申し込む', 'ポイント1.0%還元・年会費0円のカード']) },
    { label: 'ボタン文言の変更', make: text('#submit-apply', ['無料で申し込む', '審査結果を最短5分で確認する', 'かんたん3分で申し込む']) },
    { label: 'FAX欄の削除', make: only({ selector: '#f-fax', action: 'remove' }) },
    { label: '勤続年数欄の削除', make: only({ selector: '#f-years', action: 'remove' }) },
    { label: '年収を勤務先の前へ', make: only({ selector: '#f-income', action: 'move_before', target: '#f-employer' }) },
    { label: 'メールアドレスを先頭へ', make: only({ selector: '#f-email', action: 'move_before', target: '#f-name' }) },
    {
      label: '安心バッジの追加',
      make: () => ({
        mutations: [{ selector: '#submit-apply', action: 'insert_html', position: 'after', value: '<p class="kz-badge"><strong>安心</strong> 通信はすべて暗号化・プライバシーマーク取得</p>' }],
        css: '.kz-badge { margin: 0 0 12px; padding: 6px 10px; background: #eef6ee; border-radius: 4px; font-size: 0.85rem }',
      }),
    },
    { label: 'CTAを大きく橙色に', make: only({ selector: '#submit-apply', action: 'set_style', value: 'background: #e65100; font-size: 1.15rem; padding: 16px' }) },
    { label: '入力時間の目安を表示', make: only({ selector: '#apply-form', action: 'insert_html', position: 'inside_start', value: '<p class="kz-time">入力時間の目安：<strong>約3分</strong></p>' }) },
  ],
};

/** Hanairo Cosme: the cosmetics cart (static). */
const CART: DemoPage = {
  path: '/cosme-cart.html',
  page_type: 'checkout',
  baseline: 0.3,
  ceiling: 0.48,
  gain: [0.12, 0.28],
  loss: [0.06, 0.18],
  daily_visitors: 6000,
  value_per_conversion_yen: 6500,
  problems: ['Shipping cost appears only at the last step', 'Sample-set upsell interrupts the checkout', 'Shoppers hesitate over the return policy'],
  pieces: [
    { label: '送料を先に表示', make: text('#shipping-note', ['全国一律 ¥550（¥8,000以上で無料）', '¥8,000以上で送料無料（あと¥1,180）']) },
    { label: 'トライアル追加の削除', make: only({ selector: '#upsell-sample', action: 'remove' }) },
    { label: 'レジボタンをクーポンの上へ', make: only({ selector: '#checkout-button', action: 'move_before', target: '#coupon' }) },
    { label: 'レジボタン文言の変更', make: text('#checkout-button', ['ご購入手続きへ（送料込み ¥7,370）', 'ご注文手続きへ進む', '安心して購入する']) },
    { label: 'レジボタンを大きく', make: only({ selector: '#checkout-button', action: 'set_style', value: 'font-size: 1.2rem; padding: 16px; background: #ad1457' }) },
    {
      label: '返金保証バッジの追加',
      make: () => ({
        mutations: [{ selector: '#checkout-button', action: 'insert_html', position: 'after', value: '<p class="kz-badge">30日間返金保証・敏感肌パッチテスト済み</p>' }],
        css: '.kz-badge { text-align: center; font-size: 0.85rem; color: #ad1457 }',
      }),
    },
    { label: '送料無料バーを緑に', make: only({ selector: '#free-shipping-bar', action: 'set_style', value: 'background: #e8f5e9; border-color: #81c784; font-weight: 700' }) },
    { label: '返品条件の書き換え', make: text('#return-policy', ['開封後でも30日以内なら返品できます（初回購入のみ）', '肌に合わなければ30日以内に全額返金します']) },
  ],
};

/** Baito Now: the part-time job listing (client-side rendered). */
const JOBS: DemoPage = {
  path: '/baito-jobs.html',
  page_type: 'job_listing',
  baseline: 0.08,
  ceiling: 0.15,
  gain: [0.25, 0.5],
  loss: [0.1, 0.25],
  daily_visitors: 30000,
  value_per_conversion_yen: 3000,
  problems: ['Apply button hidden below the shift table', 'Search results do not show hourly pay first', 'Sign-up asked before the application'],
  pieces: [
    { label: '応募ボタン文言の変更', make: text('.job-apply', ['この求人に応募する', 'かんたん応募（1分）', '応募する（会員登録不要）']) },
    { label: '会員登録の案内を削除', make: only({ selector: '#signup-gate', action: 'remove' }) },
    { label: '登録不要を明記', make: text('#signup-gate', ['会員登録なしで応募できます', 'LINEで応募OK・会員登録は不要です']) },
    { label: '時給を大きく表示', make: only({ selector: '.job-wage', action: 'set_style', value: 'font-size: 1.3rem; font-weight: 700; color: #d84315' }) },
    { label: '面接の手軽さを追記', make: only({ selector: '.job-title', action: 'insert_html', position: 'after', value: '<p class="kz-note">面接1回・最短翌日から勤務OK</p>' }) },
    { label: '応募ボタンを緑で目立たせる', make: only({ selector: '.job-apply', action: 'set_style', value: 'background: #2e7d32; font-size: 1.1rem' }) },
    {
      label: '応募ボタンをシフト表の上へ',
      make: () => ({ mutations: [{ selector: '.job-card', action: 'add_class', value: 'kz-apply-first' }], css: '.kz-apply-first { display: flex; flex-direction: column } .kz-apply-first .job-apply { order: -1 }' }),
    },
  ],
};

export const DEMO_PAGES: DemoPage[] = [CARD, CART, JOBS];

export function demoPageOf(url: string): DemoPage | undefined {
  const path = new URL(url).pathname;
  return DEMO_PAGES.find((p) => p.path === path);
}

const FLAWS: Flaw[] = [
  {
    // A selector with a typo: the change silently does nothing on the real page.
    put: (c) => ({ ...c, mutations: c.mutations!.map((m, i) => (i === 0 ? { ...m, selector: `${m.selector}-x` } : m)) }),
    present: (c) => (c.mutations ?? []).some((m) => m.selector.endsWith('-x')),
    comment: '最初の変更のセレクタがページ上のどの要素にも一致しません（タイプミス？）。プレビューで反映を確認してから再提出してください。',
  },
  {
    // A banner of fixed width: horizontal scrolling at phone width.
    put: (c) => ({
      ...c,
      mutations: [...c.mutations!, { selector: 'main', action: 'insert_html', position: 'inside_start', value: '<div class="kz-banner">期間限定キャンペーン実施中</div>' }],
      css: `${c.css ?? ''} .kz-banner { width: 720px; padding: 8px; background: #fff3cd }`.trim(),
    }),
    present: (c) => (c.css ?? '').includes('width: 720px'),
    comment: 'スマホ幅（390px）でバナーがはみ出し、横スクロールが出ます。幅を画面に合わせてください。',
  },
];

/**
 * A hacker's variant for a demo page: two or three of the page's ideas (their labels make the title),
 * and now and then a mistake CS will send back (`flawed`: the same ideas with one flaw put in).
 */
export function demoVariant(page: DemoPage, r: () => number, flawChance: number): { labels: string[]; changes: ChangeSet; flawed?: ChangeSet } {
  const picks = [...page.pieces].sort(() => r() - 0.5).slice(0, 2 + Math.floor(r() * 2));
  const made = picks.map((p) => p.make(r));
  const css = made.map((m) => m.css).filter(Boolean).join('\n');
  const changes: ChangeSet = { mutations: made.flatMap((m) => m.mutations), ...(css ? { css } : {}) };
  const flawed = r() < flawChance ? oneOf(r, FLAWS).put(changes) : undefined;
  return { labels: picks.map((p) => p.label), changes, ...(flawed ? { flawed } : {}) };
}

/** What CS says when it returns a variant (undefined: nothing to send back). */
export function reviewComment(changes: ChangeSet): string | undefined {
  return FLAWS.find((f) => f.present(changes))?.comment;
}

/**
 * A variant's hidden true effect (relative): from two numbers in [0, 1) drawn for it and the chance
 * `pGain` that its author found a real improvement. About a third of the rest hurt; the others change
 * nothing at all.
 */
export function trueEffect(page: DemoPage, u: number, v: number, pGain: number): number {
  const lerp = ([lo, hi]: [number, number]) => lo + (hi - lo) * v;
  if (u < pGain) return lerp(page.gain);
  if (u < pGain + (1 - pGain) * 0.35) return -lerp(page.loss);
  return 0;
}

/** The true rate of a page whose control has the given effects shipped, with an arm's effect on top. */
export function trueRate(page: DemoPage, shipped: number[], effect: number): number {
  const control = shipped.reduce((rate, e) => rate * (1 + e), page.baseline);
  return Math.max(0.005, Math.min(page.ceiling, Math.min(page.ceiling, control) * (1 + effect)));
}
