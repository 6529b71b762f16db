/**
 * Heading anchors: every heading gets an `id` (unique within the page) and a `#` link to itself.
 * The h2 and h3 headings are also listed in `env.headings`, for the page's table of contents, with
 * the claims section where `{{#results}}` places it.
 * @module
 */
import type { MarkdownIt, StateCore } from 'markdown-it';
import type { AnchorsEnv, TocEntry } from './env.ts';
import { esc, slugify } from './html.ts';

/** The claims section's entry in a table of contents (its heading is rendered by results.ts). */
export const CLAIMS_ENTRY: TocEntry = { level: 2, id: 'claims', text: 'Claims' };

/** The markdown-it plugin. Ids given so far are kept in `env.ids`, headings in `env.headings` ({@link AnchorsEnv}). */
export function anchorsPlugin(md: MarkdownIt): void {
  md.core.ruler.push('anchors', (state: StateCore) => {
    const env = state.env as AnchorsEnv;
    env.ids ??= new Set<string>();
    env.headings ??= [];
    const ids = env.ids;
    const headings = env.headings;
    const tokens = state.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const open = tokens[i];
      if (open?.type === 'results') headings.push(CLAIMS_ENTRY);
      const inline = tokens[i + 1];
      if (open?.type !== 'heading_open' || inline?.type !== 'inline') continue;
      const text = (inline.children ?? [])
        .filter((t) => t.type === 'text' || t.type === 'code_inline')
        .map((t) => t.content)
        .join('');
      const base = slugify(text);
      let id = base;
      for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
      ids.add(id);
      open.attrSet('id', id);
      if (open.tag === 'h2' || open.tag === 'h3')
        headings.push({ level: open.tag === 'h2' ? 2 : 3, id, text: text.trim() });
      const link = new state.Token('html_inline', '', 0);
      link.content = ` <a class="anchor" href="#${id}" aria-label="Link to this section">#</a>`;
      inline.children?.push(link);
    }
  });
}

/** Up to this many headings, a page needs no table of contents: it is short enough to scroll. */
export const TOC_MIN = 3;

/**
 * The "On this page" table of contents: the headings as nested links (h3 under the h2 before
 * them), in a `<details>` that is a line on phones (open it to read) and always open beside the
 * text on wide screens (the stylesheet shows its content there, open or not). Empty when the page
 * has fewer than {@link TOC_MIN} headings.
 */
export function tableOfContents(headings: TocEntry[]): string {
  if (headings.length < TOC_MIN) return '';
  const items: string[] = [];
  let nested = false;
  // An h3 before any h2 is listed as an h2: a nested list needs an item to hang from.
  const levels = headings.map((h, i) => (h.level === 3 && headings.slice(0, i).some((b) => b.level === 2) ? 3 : 2));
  for (const [i, entry] of headings.entries()) {
    const h = { ...entry, level: levels[i] };
    const next = headings[i + 1];
    const link = `<a href="#${esc(h.id)}">${esc(h.text)}</a>`;
    if (h.level === 3 && !nested) {
      items.push('<ol>');
      nested = true;
    } else if (h.level === 2 && nested) {
      items.push('</ol></li>');
      nested = false;
    } else if (i > 0 && h.level === 2) items.push('</li>');
    items.push(`<li>${link}`);
    if (h.level === 3) items.push('</li>');
    if (!next) items.push(nested ? '</ol></li>' : '</li>');
  }
  return `<details class="toc"><summary>On this page</summary><nav aria-label="On this page"><ol>${items.join('')}</ol></nav></details>`;
}
