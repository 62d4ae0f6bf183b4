// Money is integer yen shown as ¥1,234,567; dates and times are shown in Asia/Tokyo.
export const TZ = 'Asia/Tokyo';

export function yen(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const s = Math.abs(Math.trunc(n)).toLocaleString('en-US');
  return `${n < 0 ? '-' : ''}¥${s}`;
}

export function dateTime(v: string | Date | null | undefined, lang: string): string {
  if (!v) return '—';
  const d = typeof v === 'string' ? new Date(v) : v;
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-CA', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

/** A YYYY-MM-DD date (already a calendar day in Tokyo) as is. */
export const day = (v: string | null | undefined) => v ?? '—';

export function percent(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const v = x * 100;
  return `${v > 0 ? '+' : ''}${v.toFixed(digits)}%`;
}

/** Today in Asia/Tokyo as YYYY-MM-DD. */
export function tokyoToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** A yen amount as people say it, beside the exact figure: "¥1,234,567 (about ¥1.2M)", "¥1,234,567（約123.5万円）". */
export function yenSpoken(n: number | null | undefined, lang: string): string {
  if (n === null || n === undefined) return '—';
  if (Math.abs(n) < 10_000) return yen(n);
  const compact = new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(Math.abs(n));
  const sign = n < 0 ? '-' : '';
  return lang === 'ja' ? `${yen(n)}（約${sign}${compact}円）` : `${yen(n)} (about ${sign}¥${compact})`;
}
