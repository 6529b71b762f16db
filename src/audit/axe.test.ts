import { describe, expect, test } from 'vitest';
import { AXE_EXCEPTIONS, type AxeViolation, blockingViolations, describeViolations } from './axe.ts';

const v = (id: string, impact: AxeViolation['impact'], targets: string[][] = [['main']]): AxeViolation => ({
  id,
  impact,
  help: `help for ${id}`,
  helpUrl: `https://example.invalid/${id}`,
  nodes: targets.map((target) => ({
    target,
    failureSummary: 'Fix any of the following:\n  Element has insufficient color contrast of 3.27',
  })),
});

describe('axe findings', () => {
  test('serious and critical block; minor and moderate do not; an exception covers only its rule on its pages', () => {
    const found = [
      v('color-contrast', 'serious'),
      v('region', 'moderate'),
      v('nested-interactive', 'critical'),
      v('x', 'minor'),
      v('y', null),
    ];
    expect(blockingViolations('01-x/', found).map((f) => f.id)).toEqual(['color-contrast', 'nested-interactive']);
    const exceptions = [{ rule: 'nested-interactive', pages: /^api\//, elements: /^summary$/, why: 'typedoc' }];
    const onSummaries = found.map((f) =>
      f.id === 'nested-interactive' ? { ...f, nodes: f.nodes.map((n) => ({ ...n, element: 'summary' })) } : f,
    );
    expect(blockingViolations('api/index.html', onSummaries, exceptions).map((f) => f.id)).toEqual(['color-contrast']);
    expect(blockingViolations('01-x/', onSummaries, exceptions).map((f) => f.id)).toEqual([
      'color-contrast',
      'nested-interactive',
    ]);
    // Only when every element found is one the exception names.
    const alsoElsewhere = onSummaries.map((f) =>
      f.id === 'nested-interactive' ? { ...f, nodes: [...f.nodes, { target: ['a'], element: 'a.x' }] } : f,
    );
    expect(blockingViolations('api/index.html', alsoElsewhere, exceptions).map((f) => f.id)).toEqual([
      'color-contrast',
      'nested-interactive',
    ]);
    expect(blockingViolations('api/index.html', found, exceptions).map((f) => f.id)).toEqual([
      'color-contrast',
      'nested-interactive',
    ]);
  });

  test('the report names the page, the scheme, each rule with its impact and help, and the elements', () => {
    const many = Array.from({ length: 7 }, (_, i) => [`pre:nth-child(${i + 1}) > h-v`]);
    const text = describeViolations('15-hostile-input/', 'dark', [
      v('color-contrast', 'serious', many),
      v('frame', 'critical', [['iframe', '#x']]),
    ]);
    expect(text.split('\n')).toEqual([
      '15-hostile-input/ (dark): 2 serious or critical violations',
      '- color-contrast [serious] help for color-contrast (https://example.invalid/color-contrast)',
      ...many.slice(0, 5).map((t) => `    ${t[0]} — Element has insufficient color contrast of 3.27`),
      '    … and 2 more',
      '- frame [critical] help for frame (https://example.invalid/frame)',
      '    iframe, #x — Element has insufficient color contrast of 3.27',
    ]);
    expect(describeViolations('', 'light', [])).toBe('');
    expect(describeViolations('', 'light', [v('a', 'serious')])).toMatch(
      /^\/ \(light\): 1 serious or critical violation\n/,
    );
  });

  test('the one exception: the wide screen’s chapter list, on handbook pages only', () => {
    const side = {
      ...v('scrollable-region-focusable', 'serious'),
      nodes: [{ target: ['.side'], element: 'details.side' }],
    };
    expect(blockingViolations('15-hostile-input/', [side])).toEqual([]);
    expect(blockingViolations('api/index.html', [side])).toEqual([side]);
    const other = { ...side, nodes: [{ target: ['pre'], element: 'pre' }] };
    expect(blockingViolations('15-hostile-input/', [other])).toEqual([other]);
    expect(AXE_EXCEPTIONS.every((e) => e.why.length > 40)).toBe(true);
  });
});
