/**
 * The results block: `{{#results}}` on a line of its own places the chapter's claims (each test,
 * passed, failed or not verified) at that point of the prose. Without it, the claims follow the prose.
 * @module
 */
import type { MarkdownIt, StateBlock } from 'markdown-it';

/** The directive line. */
export const RESULTS_LINE = /^\{\{#results\}\}$/;

/** The markdown-it plugin: turns the directive into a `results` token for the caller's renderer. */
export function resultsPlugin(md: MarkdownIt): void {
  md.block.ruler.before('paragraph', 'results', (state: StateBlock, startLine: number, _endLine: number, silent: boolean) => {
    if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
    const pos = (state.bMarks[startLine] ?? 0) + (state.tShift[startLine] ?? 0);
    const text = state.src.slice(pos, state.eMarks[startLine] ?? 0).trim();
    if (!RESULTS_LINE.test(text)) return false;
    if (silent) return true;
    const token = state.push('results', '', 0);
    token.map = [startLine, startLine + 1];
    token.block = true;
    state.line = startLine + 1;
    return true;
  });
}
