/**
 * The results block: `{{#results}}` on a line of its own places the chapter's claims (each test,
 * passed, failed or not verified) at that point of the prose. Without it, the claims follow the prose.
 * @module
 */
import type { MarkdownIt } from 'markdown-it';
import { addDirectiveRule } from './directive-rule.ts';

/**
 * The markdown-it plugin: turns the directive into a `results` token for the caller's renderer.
 * The line is parsed by directive.ts; the rule may interrupt a paragraph ({@link addDirectiveRule});
 * a malformed `{{#results …}}` is a located error, which needs `env.chapter`.
 */
export function resultsPlugin(md: MarkdownIt): void {
  addDirectiveRule(md, 'results', (state, _directive, startLine) => {
    const token = state.push('results', '', 0);
    token.map = [startLine, startLine + 1];
    token.block = true;
  });
}
