/**
 * Heading anchors: every heading gets an `id` (unique within the page) and a `#` link to itself.
 * @module
 */
import type { MarkdownIt, StateCore } from 'markdown-it';
import type { AnchorsEnv } from './env.ts';
import { slugify } from './html.ts';

/** The markdown-it plugin. Ids given so far are kept in `env.ids` ({@link AnchorsEnv}). */
export function anchorsPlugin(md: MarkdownIt): void {
  md.core.ruler.push('anchors', (state: StateCore) => {
    const env = state.env as AnchorsEnv;
    const ids = (env.ids ??= new Set<string>());
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const open = tokens[i];
      const inline = tokens[i + 1];
      if (open?.type !== 'heading_open' || inline?.type !== 'inline') continue;
      const text = (inline.children ?? []).filter((t) => t.type === 'text' || t.type === 'code_inline').map((t) => t.content).join('');
      const base = slugify(text);
      let id = base;
      for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
      ids.add(id);
      open.attrSet('id', id);
      const link = new state.Token('html_inline', '', 0);
      link.content = ` <a class="anchor" href="#${id}" aria-label="Link to this section">#</a>`;
      inline.children?.push(link);
    }
  });
}
