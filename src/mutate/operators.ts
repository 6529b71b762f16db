/**
 * The mutation operators: one-line mistakes a reader makes when copying a snippet, applied to a
 * TypeScript source file. Pure: the same text gives the same mutants, with the same ids.
 *
 * Each operator models a real mistake (a boolean option flipped, a `sameSite` loosened, a
 * `regenerate` left out, a guard negated or dropped, a secret written into the source) rather
 * than an arbitrary token change, and each mutant says whether it weakens a safety property.
 * @module
 */
import { createHash } from 'node:crypto';
import ts from 'typescript';
import type { Mutant } from '../types.ts';
import { excludedRanges, type Edit } from './ast.ts';
import { callEdits } from './calls.ts';
import { guardEdits } from './guards.ts';
import { optionEdits } from './options.ts';
import { diffOf, lineOf } from './diff.ts';

export { diffOf } from './diff.ts';

function collectEdits(source: ts.SourceFile): Edit[] {
  const edits: Edit[] = [];
  const add = (e: Edit): void => {
    edits.push(e);
  };

  const visit = (node: ts.Node): void => {
    // Types, imports and declarations of types are not behaviour.
    if (
      ts.isImportDeclaration(node) ||
      ts.isInterfaceDeclaration(node) ||
      ts.isTypeAliasDeclaration(node) ||
      ts.isModuleDeclaration(node) ||
      ts.isTypeNode(node)
    ) {
      return;
    }

    optionEdits(node, source, add);
    callEdits(node, source, add);
    guardEdits(node, source, add);

    ts.forEachChild(node, visit);
  };
  visit(source);
  return edits;
}

/**
 * Every mutant of one snippet file. `file` is its name in the chapter folder (`app.ts`); the ids are
 * stable across edits elsewhere in the file: an operator, a hash of the changed code and the
 * replacement, and an occurrence number among identical changes.
 */
export function mutantsOf(file: string, original: string): Mutant[] {
  const source = ts.createSourceFile(file, original, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const excluded = excludedRanges(source);
  const edits = collectEdits(source)
    .filter((e) => !excluded.some(([a, b]) => e.start < b && e.end > a))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.operator.localeCompare(b.operator));
  const seen = new Map<string, number>();
  const mutants: Mutant[] = [];
  const texts = new Set<string>();
  for (const e of edits) {
    const mutated = original.slice(0, e.start) + e.text + original.slice(e.end);
    if (mutated === original || texts.has(mutated)) continue;
    texts.add(mutated);
    const key = `${file}\u0000${e.operator}\u0000${original.slice(e.start, e.end)}\u0000${e.text}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const hash = createHash('sha1').update(`${key}\u0000${n}`).digest('hex').slice(0, 7);
    mutants.push({
      id: `${e.operator}-${hash}`,
      file,
      line: lineOf(source, e.start),
      operator: e.operator,
      description: e.description,
      safety: e.safety,
      diff: diffOf(original, e.start, e.end, e.text),
      start: e.start,
      end: e.end,
      replacement: e.text,
    });
  }
  return mutants;
}

/** The file's text with one mutant applied. */
export function applyMutant(original: string, mutant: Pick<Mutant, 'start' | 'end' | 'replacement'>): string {
  return original.slice(0, mutant.start) + mutant.replacement + original.slice(mutant.end);
}
