/**
 * A readable diff of one mutant: the lines it touches, before and after.
 * @module
 */
import type ts from 'typescript';

export function lineOf(source: ts.SourceFile, pos: number): number {
  return source.getLineAndCharacterOfPosition(pos).line + 1;
}

/** A readable diff of one edit: the lines it touches, before (`- `) and after (`+ `), unchanged lines between them (`  `) shortened. */
export function diffOf(original: string, start: number, end: number, replacement: string): string {
  const lineStart = original.lastIndexOf('\n', start - 1) + 1;
  const mutated = original.slice(0, start) + replacement + original.slice(end);
  let before: string[];
  let after: string[];
  if (end > start && original[end - 1] === '\n') {
    // Whole lines replaced: the region ends with them.
    before = original.slice(lineStart, end - 1).split('\n');
    after = mutated
      .slice(lineStart, start + replacement.length)
      .replace(/\n$/, '')
      .split('\n');
  } else {
    let lineEnd = original.indexOf('\n', end);
    if (lineEnd === -1) lineEnd = original.length;
    before = original.slice(lineStart, lineEnd).split('\n');
    after = mutated.slice(lineStart, lineEnd - (end - start) + replacement.length).split('\n');
  }
  // Longest common subsequence of lines: the diff of a small region.
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: Array<[' ' | '-' | '+', string]> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push([' ', before[i++]!]);
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(['-', before[i++]!]);
    else out.push(['+', after[j++]!]);
  }
  const shown = out.filter(([k, l]) => !(k === '+' && l.trim() === ''));
  const lines: string[] = [];
  for (let k = 0; k < shown.length; k++) {
    const [kind, line] = shown[k]!;
    if (kind === ' ') {
      let run = k;
      while (run < shown.length && shown[run]![0] === ' ') run++;
      if (run - k > 2) {
        lines.push(`  ${shown[k]![1]}`, '  …');
        k = run - 2;
        continue;
      }
    }
    lines.push(`${kind} ${line}`);
  }
  return lines.join('\n');
}
