import { describe, expect, test } from 'vitest';
import { type AxeViolation, blockingViolations, describeViolations } from './axe.ts';

const v = (id: string, impact: AxeViolation['impact'], targets: string[][] = [['main']]): AxeViolation => ({
  id,
  impact,
  help: `help for ${id}`,
  helpUrl: `https://example.invalid/${id}`,
  nodes: targets.map((target) => ({ target, failureSummary: 'Fix any of the following:\n  Element has insufficient color contrast of 3.27' })),
});

describe('axe findings', () => {
  test('serious and critical block; minor and moderate do not; an exception covers only its rule on its pages', () => {
    const found = [v('color-contrast', 'serious'), v('region', 'moderate'), v('nested-interactive', 'critical'), v('x', 'minor'), v('y', null)];
    expect(blockingViolations('01-x/', found).map((f) => f.id)).toEqual(['color-contrast', 'nested-interactive']);
    const exceptions = [{ rule: 'nested-interactive', pages: /^api\//, why: 'typedoc' }];
    expect(blockingViolations('api/index.html', found, exceptions).map((f) => f.id)).toEqual(['color-contrast']);
    expect(blockingViolations('01-x/', found, exceptions).map((f) => f.id)).toEqual(['color-contrast', 'nested-interactive']);
  });

  test('the report names the page, the scheme, each rule with its impact and help, and the elements', () => {
    const many = Array.from({ length: 7 }, (_, i) => [`pre:nth-child(${i + 1}) > h-v`]);
    const text = describeViolations('15-hostile-input/', 'dark', [v('color-contrast', 'serious', many), v('frame', 'critical', [['iframe', '#x']])]);
    expect(text.split('\n')).toEqual([
      '15-hostile-input/ (dark): 2 serious or critical violations',
      '- color-contrast [serious] help for color-contrast (https://example.invalid/color-contrast)',
      ...many.slice(0, 5).map((t) => `    ${t[0]} — Element has insufficient color contrast of 3.27`),
      '    … and 2 more',
      '- frame [critical] help for frame (https://example.invalid/frame)',
      '    iframe, #x — Element has insufficient color contrast of 3.27',
    ]);
    expect(describeViolations('', 'light', [])).toBe('');
    expect(describeViolations('', 'light', [v('a', 'serious')])).toMatch(/^\/ \(light\): 1 serious or critical violation\n/);
  });
});
