// The web's money formatting: exact integer yen, and the cycle report's uplift as people say it.
import { describe, expect, it } from 'vitest';
import { yen, yenSpoken } from '../../web/src/app/format.ts';

describe('yenSpoken', () => {
  it('keeps the exact figure and adds the amount as Japanese and English readers say it', () => {
    expect(yenSpoken(1_234_567, 'ja')).toBe('¥1,234,567（約123.5万円）');
    expect(yenSpoken(1_234_567, 'en')).toBe('¥1,234,567 (about ¥1.2M)');
    expect(yenSpoken(120_000_000, 'ja')).toBe('¥120,000,000（約1.2億円）');
    expect(yenSpoken(-85_000, 'en')).toBe('-¥85,000 (about -¥85K)');
  });
  it('says small amounts and nothing as they are', () => {
    expect(yenSpoken(9_999, 'ja')).toBe(yen(9_999));
    expect(yenSpoken(0, 'en')).toBe('¥0');
    expect(yenSpoken(null, 'en')).toBe('—');
  });
});
