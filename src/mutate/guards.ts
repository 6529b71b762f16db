/**
 * Operators on conditions: the secret replaced by a constant, a guard negated, dropped or halved, a comparison reversed.
 * @module
 */
import ts from 'typescript';
import { isSafetyGuard, text, type Edit } from './ast.ts';

/** Adds the edits of this family that `node` allows (its children are visited by the caller). */
export function guardEdits(node: ts.Node, source: ts.SourceFile, add: (e: Edit) => void): void {
  // The secret read from the environment replaced by a constant.
  if (
    ts.isPropertyAccessExpression(node) &&
    /SECRET/.test(node.name.text) &&
    text(node.expression, source) === 'process.env'
  ) {
    add({
      operator: 'constant-secret',
      start: node.getStart(source),
      end: node.getEnd(),
      text: "'keyboard cat'",
      description: `\`${node.name.text}\` replaced by a constant`,
      safety: true,
    });
  }

  // Guards: negated, dropped, or one half of a condition dropped.
  if (ts.isIfStatement(node)) {
    const cond = node.expression;
    const condText = text(cond, source);
    const safety = isSafetyGuard(node, source);
    add({
      operator: 'negate-guard',
      start: cond.getStart(source),
      end: cond.getEnd(),
      text: `!(${condText})`,
      description: 'guard negated',
      safety,
    });
    add({
      operator: 'remove-guard',
      start: cond.getStart(source),
      end: cond.getEnd(),
      text: 'false',
      description: 'guard never taken',
      safety,
    });
    if (
      ts.isBinaryExpression(cond) &&
      (cond.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
        cond.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)
    ) {
      for (const [kept, dropped] of [
        [cond.left, cond.right],
        [cond.right, cond.left],
      ] as const) {
        add({
          operator: 'weaken-guard',
          start: cond.getStart(source),
          end: cond.getEnd(),
          text: text(kept, source),
          description: `\`${text(dropped, source).slice(0, 50)}\` dropped from the guard`,
          safety,
        });
      }
    }
  }
  // A comparison in a value (not a guard) reversed: `secure: env === 'production'`, `x === 'dark' ? ...`.
  if (ts.isConditionalExpression(node)) {
    const cond = node.condition;
    add({
      operator: 'negate-condition',
      start: cond.getStart(source),
      end: cond.getEnd(),
      text: `!(${text(cond, source)})`,
      description: 'condition negated',
      safety: false,
    });
  }
}
