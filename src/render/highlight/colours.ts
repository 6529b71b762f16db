/**
 * Colours to classes: each distinct (light, dark) colour pair of a token becomes a short element
 * name ({@link PALETTE}, or a hash of the pair), and the stylesheet maps the name to CSS variables.
 * @module
 */
import { createHash } from 'node:crypto';
import type { ThemedToken } from 'shiki';
import { escText } from '../html.ts';

/**
 * Names for the colour pairs of the two GitHub themes that code uses most. A coloured token is an
 * element named after its (light, dark) pair, `<h-k>const</h-k>`: a custom element name (it has a
 * dash), with no meaning of its own, like a span, at less than half a span's bytes. A pair not
 * listed here is named after a hash of it, `h-1a2b3`.
 */
export const PALETTE: Record<string, string> = {
  '--l:#d73a49;--d:#f97583': 'h-k', // keyword, operator
  '--l:#6f42c1;--d:#b392f0': 'h-f', // function, type
  '--l:#005cc5;--d:#79b8ff': 'h-c', // constant, number, property
  '--l:#032f62;--d:#9ecbff': 'h-s', // string
  '--l:#6a737d;--d:#6a737d': 'h-m', // comment
  '--l:#e36209;--d:#ffab70': 'h-v', // parameter, variable
  '--l:#22863a;--d:#85e89d': 'h-t', // tag, key
};

/** The class rules of one highlighter: class name -> declarations, for every class it made or loaded. */
export class ColourClasses {
  private readonly rules = new Map<string, string>();

  /** The class of a token's style, or none for an uncoloured token or one in the foreground `defaultFg`. */
  classFor(style: Record<string, string>, defaultFg: string): string | undefined {
    const light = style['--shiki-light'];
    const dark = style['--shiki-dark'];
    const lightFont = style['--shiki-light-font-style'];
    const decl: string[] = [];
    if (light) decl.push(`--l:${light.toLowerCase()}`);
    if (dark) decl.push(`--d:${dark.toLowerCase()}`);
    if (lightFont && lightFont !== 'normal') decl.push(`font-style:${lightFont}`);
    if (decl.length === 0) return undefined;
    const body = decl.join(';');
    if (body === defaultFg) return undefined;
    const name = PALETTE[body] ?? `h-${createHash('sha256').update(body).digest('hex').slice(0, 5)}`;
    const existing = this.rules.get(name);
    if (existing !== undefined && existing !== body) throw new Error(`highlight class collision: ${name}`);
    this.rules.set(name, body);
    return name;
  }

  /** Takes in rules saved by an earlier build. */
  add(rules: Record<string, string>): void {
    for (const [name, body] of Object.entries(rules)) this.rules.set(name, body);
  }

  /** The declarations of a class (empty for one never made). */
  rule(name: string): string {
    return this.rules.get(name) ?? '';
  }

  /** The CSS rules for these classes, sorted. */
  css(classes: Iterable<string>): string {
    return [...new Set(classes)]
      .sort()
      .map((name) => `${name}{${this.rule(name)}}`)
      .join('\n');
  }

  /**
   * The HTML of tokenized lines: runs of one colour become one element; whitespace takes the
   * colour of the run it is in. Returns the classes used, sorted.
   */
  toHtml(tokens: ThemedToken[][], defaultFg: string): { html: string; classes: string[] } {
    const used = new Set<string>();
    const lines = tokens.map((line) => {
      let html = '';
      let open: string | undefined;
      let buffer = '';
      const flush = () => {
        if (buffer === '') return;
        html += open ? `<${open}>${escText(buffer)}</${open}>` : escText(buffer);
        buffer = '';
      };
      for (const token of line) {
        const style = (token.htmlStyle ?? {}) as Record<string, string>;
        const cls = token.content.trim() === '' ? open : this.classFor(style, defaultFg);
        if (cls !== open) {
          flush();
          open = cls;
        }
        buffer += token.content;
        if (cls) used.add(cls);
      }
      flush();
      return html;
    });
    return { html: lines.join('\n'), classes: [...used].sort() };
  }
}
