/**
 * The code colours' contrast (issue 13, item 2): WCAG's ratio, a failing colour made readable, and
 * every token colour of the chosen themes at AA or better on the code background in both schemes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ColourClasses, PALETTE } from './colours.ts';
import { AA, CODE_BACKGROUND, contrast, parseHex, readable } from './contrast.ts';
import { THEMES } from './languages.ts';

const round = (n: number) => Math.round(n * 100) / 100;

describe('contrast', () => {
  test('WCAG ratios: black on white 21, a colour on itself 1, the old theme figures from issue 13', () => {
    expect(contrast('#000', '#fff')).toBe(21);
    expect(contrast('#fff', '#000')).toBe(21);
    expect(contrast('#f6f8fa', '#f6f8fa')).toBe(1);
    // github-light's orange and red, github-dark's comments, on the code background
    expect(round(contrast('#e36209', CODE_BACKGROUND.light))).toBe(3.28);
    expect(round(contrast('#d73a49', CODE_BACKGROUND.light))).toBe(4.3);
    expect(round(contrast('#6a737d', CODE_BACKGROUND.dark))).toBe(3.6);
    // A translucent colour counts as painted on the background.
    expect(contrast('#00000000', '#ffffff')).toBe(1);
  });

  test('hex colours only: #rgb, #rrggbb, #rrggbbaa', () => {
    expect(parseHex('#abc')).toEqual({ rgb: [170, 187, 204], alpha: 1 });
    expect(parseHex('#FF000080')?.alpha).toBeCloseTo(0.5, 2);
    expect(parseHex('red')).toBeUndefined();
    expect(() => contrast('red', '#fff')).toThrow(/not a hex colour: red/);
  });

  test('readable: a passing colour is kept; a failing one becomes the nearest passing one, darker on light, lighter on dark', () => {
    expect(readable('#8250DF', CODE_BACKGROUND.light)).toBe('#8250df');
    for (const [colour, background] of [
      ['#e36209', CODE_BACKGROUND.light],
      ['#f6f8fa', CODE_BACKGROUND.light],
      ['#6a737d', CODE_BACKGROUND.dark],
      ['#151b23', CODE_BACKGROUND.dark],
      ['#ffffff10', CODE_BACKGROUND.dark],
    ] as const) {
      const made = readable(colour, background);
      expect(made).not.toBe(colour);
      expect(contrast(made, background)).toBeGreaterThanOrEqual(AA);
      // The nearest: one step (1/64 towards black or white) less would fail, so the ratio is just above AA.
      expect(contrast(made, background)).toBeLessThan(AA + 0.5);
    }
    expect(contrast(readable('#e36209', '#ffffff'), '#ffffff')).toBeGreaterThanOrEqual(AA);
    expect(readable('var(--x)', '#fff')).toBe('var(--x)');
  });

  test('the code background is site.css’s --soft, light and dark', () => {
    const css = readFileSync(join(import.meta.dirname, '../assets/site.css'), 'utf8');
    const softs = [...css.matchAll(/--soft:\s*(#[0-9a-f]+)/gi)].map((m) => m[1]);
    expect(softs).toEqual([CODE_BACKGROUND.light, CODE_BACKGROUND.dark]);
  });
});

describe('the themes’ colours, as the highlighter writes them', () => {
  const declarations = (body: string) =>
    Object.fromEntries(body.split(';').map((d) => d.split(':') as [string, string]));

  test('every token colour of both themes has AA contrast on the code background (after readable)', async () => {
    const { bundledThemes } = await import('shiki');
    const foregrounds = async (name: string) => {
      const theme = (await bundledThemes[name as keyof typeof bundledThemes]()).default as {
        fg?: string;
        colors?: Record<string, string>;
        tokenColors?: { settings?: { foreground?: string } }[];
      };
      const found = new Set<string>();
      for (const rule of theme.tokenColors ?? []) if (rule.settings?.foreground) found.add(rule.settings.foreground);
      const fg = theme.fg ?? theme.colors?.['editor.foreground'];
      if (fg) found.add(fg);
      return [...found];
    };
    const light = await foregrounds(THEMES.light);
    const dark = await foregrounds(THEMES.dark);
    expect(light.length).toBeGreaterThan(5);
    expect(dark.length).toBeGreaterThan(5);
    const colours = new ColourClasses();
    const failing: string[] = [];
    for (const l of light) {
      for (const d of dark) {
        const name = colours.classFor({ '--shiki-light': l, '--shiki-dark': d }, '') as string;
        const rule = declarations(colours.rule(name));
        const lr = contrast(rule['--l'] as string, CODE_BACKGROUND.light);
        const dr = contrast(rule['--d'] as string, CODE_BACKGROUND.dark);
        if (lr < AA) failing.push(`light ${l} -> ${rule['--l']}: ${lr.toFixed(2)}`);
        if (dr < AA) failing.push(`dark ${d} -> ${rule['--d']}: ${dr.toFixed(2)}`);
      }
    }
    expect(failing).toEqual([]);
  });

  test('the palette’s pairs are as readable() gives them, each at AA or better', () => {
    for (const body of Object.keys(PALETTE)) {
      const rule = declarations(body);
      expect(readable(rule['--l'] as string, CODE_BACKGROUND.light)).toBe(rule['--l']);
      expect(readable(rule['--d'] as string, CODE_BACKGROUND.dark)).toBe(rule['--d']);
    }
    // The light theme's comment colour is darkened to its palette entry.
    expect(new ColourClasses().classFor({ '--shiki-light': '#6E7781', '--shiki-dark': '#8B949E' }, '')).toBe('h-m');
  });
});
