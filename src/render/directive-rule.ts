/**
 * The markdown-it side of a block directive: one block rule per directive, reading its line with
 * {@link parseDirectiveLine}. A directive may follow a blank line or interrupt a paragraph, a
 * blockquote's lazy line or a list, as a fenced code block may (markdown-it's `alt`): a directive
 * written right after prose is a directive, never text. A malformed one is a {@link BuildError}
 * with the README's path and line, wherever it stands.
 * @module
 */
import type { MarkdownIt, StateBlock } from 'markdown-it';
import { BuildError } from '../errors.ts';
import { BLOCK_DIRECTIVES, type BlockDirective, parseDirectiveLine } from './directive.ts';
import type { RenderEnv } from './env.ts';

/** The rules whose blocks a directive line ends: the same as markdown-it's own fence rule. */
export const DIRECTIVE_ALT = ['paragraph', 'reference', 'blockquote', 'list'];

/**
 * Adds the block rule of directive `kind` (before `lheading`, so a directive line is never a
 * setext heading's text). `onMatch` pushes its token(s) for the directive on body line
 * `startLine` ({@link whereIs} locates it in the README); the rule then moves past the line.
 */
export function addDirectiveRule<K extends BlockDirective['kind']>(
  md: MarkdownIt,
  kind: K,
  onMatch: (state: StateBlock, directive: Extract<BlockDirective, { kind: K }>, startLine: number) => void,
): void {
  md.block.ruler.before(
    'lheading',
    kind,
    (state: StateBlock, startLine: number, _endLine: number, silent: boolean) => {
      if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4) return false; // indented code
      const pos = (state.bMarks[startLine] ?? 0) + (state.tShift[startLine] ?? 0);
      const parsed = parseDirectiveLine(state.src.slice(pos, state.eMarks[startLine] ?? 0));
      if (!parsed) return false;
      if (!parsed.ok) {
        // Each plugin reports its own directive's errors; any of them reports a line that is no directive of ours.
        if (parsed.name === kind || !BLOCK_DIRECTIVES.includes(parsed.name as BlockDirective['kind'])) {
          const where = whereIs(state, startLine);
          const text = state.src.slice(pos, state.eMarks[startLine] ?? 0).trim();
          throw new BuildError(where.path, `malformed directive ${JSON.stringify(text)}: ${parsed.error}`, where.line);
        }
        return false;
      }
      if (parsed.directive.kind !== kind) return false;
      if (silent) return true;
      onMatch(state, parsed.directive as Extract<BlockDirective, { kind: K }>, startLine);
      state.line = startLine + 1;
      return true;
    },
    { alt: DIRECTIVE_ALT },
  );
}

/** The README path and line of body line `startLine` (markdown-it counts from 0 in the body). */
export function whereIs(state: StateBlock, startLine: number): { path: string; line: number } {
  const { chapter } = state.env as unknown as Partial<RenderEnv>;
  if (!chapter)
    throw new Error(`a directive at body line ${startLine + 1}: render with a RenderEnv (env.chapter) to locate it`);
  return { path: chapter.readme.path, line: chapter.readme.bodyLine + startLine };
}
