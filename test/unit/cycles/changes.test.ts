// The change-set rules (domain/cycles/changes.ts) and the API's schema of the contract.
import { describe, expect, it } from 'vitest';
import { ChangeSet } from '../../../src/api/schemas/changes.ts';
import { cleanChangeSet, cssProblem, hasScriptUrl, selectorProblem, servedChanges, scriptHash } from '../../../src/domain/cycles/changes.ts';
import { RuleError } from '../../../src/domain/errors.ts';
import { MUTATION_ACTIONS, type ChangeSet as Changes } from '../../../src/shared/changes.ts';

const PAGE = 'https://shop.example/checkout';

/** The path of the RuleError cleanChangeSet throws for `changes`. */
function refusedAt(changes: unknown): string | undefined {
  try {
    cleanChangeSet(changes as Changes, PAGE);
  } catch (err) {
    if (err instanceof RuleError && err.kind === 'invalid') return err.path;
    throw err;
  }
  return undefined;
}

describe('the change-set schema', () => {
  it("accepts exactly the contract's mutation actions", () => {
    const union = (ChangeSet.properties.mutations as any).items.anyOf as { properties: { action: { const: string } } }[];
    expect(union.map((s) => s.properties.action.const).sort()).toEqual([...MUTATION_ACTIONS].sort());
  });
});

describe('cleanChangeSet', () => {
  it('keeps a sound change set as written', () => {
    const cs: Changes = {
      css: '.cta { background: url(https://cdn.example/a.png) }',
      mutations: [
        { selector: 'a[href^="/cart"]', action: 'set_attribute', attribute: 'href', value: '/cart?from=x' },
        { selector: 'h1:not(.x)', action: 'set_text', value: '<b>not html</b>' },
        { selector: '#b', action: 'move_before', target: '#a' },
      ],
      redirect: 'https://shop.example/checkout-b?x=1',
      js: 'console.log(1)',
    };
    expect(cleanChangeSet(cs, PAGE)).toEqual(cs);
  });

  it('sanitises inserted HTML: no handler, no script, no javascript: link', () => {
    const out = cleanChangeSet(
      { mutations: [{ selector: 'p', action: 'insert_html', position: 'after', value: '<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">x</a><b style="x">ok</b>' }] },
      PAGE,
    );
    const html = (out.mutations![0] as { value: string }).value;
    expect(html).toBe('<img src="x" /><a>x</a><b>ok</b>');
  });

  it.each([
    [{ redirect: 'javascript:alert(1)' }, '/changes/redirect'],
    [{ redirect: 'https://evil.example/checkout' }, '/changes/redirect'],
    [{ css: 'a { background: url("JaVa\\09 script:alert(1)") }' }, '/changes/css'],
    [{ css: 'a { background: url(\\64 ata:text/html,x) }' }, '/changes/css'],
    [{ css: 'a { width: expression(alert(1)) }' }, '/changes/css'],
    [{ css: '</style><script>alert(1)</script>' }, '/changes/css'],
    [{ mutations: [{ selector: 'p', action: 'set_text', value: 'ok' }, { selector: 'a', action: 'set_attribute', attribute: 'href', value: ' java\u0000script:alert(1)' }] }, '/changes/mutations/1/value'],
    [{ mutations: [{ selector: 'img', action: 'set_attribute', attribute: 'src', value: 'DATA:image/svg+xml,<svg onload=alert(1)>' }] }, '/changes/mutations/0/value'],
    [{ mutations: [{ selector: 'a', action: 'set_attribute', attribute: 'onclick', value: 'x' }] }, '/changes/mutations/0/attribute'],
    [{ mutations: [{ selector: 'a', action: 'set_attribute', attribute: 'STYLE', value: 'x' }] }, '/changes/mutations/0/attribute'],
    [{ mutations: [{ selector: 'a', action: 'set_style', value: 'background: url(javascript:alert(1))' }] }, '/changes/mutations/0/value'],
    [{ mutations: [{ selector: 'a', action: 'add_class', value: 'two classes' }] }, '/changes/mutations/0/value'],
    [{ mutations: [{ selector: 'p', action: 'remove' }, { selector: 'p', action: 'remove' }, { selector: 'div[x', action: 'remove' }] }, '/changes/mutations/2/selector'],
    [{ mutations: [{ selector: 'p', action: 'move_before', target: '<p>' }] }, '/changes/mutations/0/target'],
    [{ mutations: Array.from({ length: 101 }, () => ({ selector: 'p', action: 'remove' })) }, '/changes/mutations'],
    [{ css: 'a{}'.repeat(7000) }, '/changes/css'],
  ])('refuses %j at %s', (changes, path) => {
    expect(refusedAt(changes)).toBe(path);
  });

  it('reads selectors, script URLs and CSS as a browser would', () => {
    expect(selectorProblem('ul > li:nth-child(2n+1) a[title="a]b"]')).toBeNull();
    expect(selectorProblem('')).not.toBeNull();
    expect(selectorProblem('a)')).not.toBeNull();
    expect(selectorProblem('p {color:red}')).not.toBeNull();
    expect(hasScriptUrl('https://shop.example/')).toBe(false);
    expect(hasScriptUrl('\tJAVAscript\n:x')).toBe(true);
    expect(cssProblem('a > b { color: red }')).toBeNull();
    expect(cssProblem('a { x: u\\72l(j\\61vascript:x) }')).not.toBeNull();
  });

  it('serves js only when approved for that exact text', () => {
    const cs = { css: 'a{}', js: 'run()' };
    expect(servedChanges(cs, { js_sha256: scriptHash('run()'), js_approved_at: null })).toEqual({ css: 'a{}' });
    expect(servedChanges(cs, { js_sha256: scriptHash('other()'), js_approved_at: new Date() })).toEqual({ css: 'a{}' });
    expect(servedChanges(cs, { js_sha256: scriptHash('run()'), js_approved_at: new Date() })).toEqual(cs);
  });
});
