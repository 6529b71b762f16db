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
import {
  CALLBACK_CALLS,
  calleeName,
  DROPPABLE_CALLS,
  ESCAPE_CALL,
  excludedRanges,
  isDefault,
  isSafetyGuard,
  isSessionCookieObject,
  OPTIONS,
  propertyName,
  removalRange,
  SAFETY_CALLS,
  SAFETY_OPTIONS,
  statementRange,
  text,
  type Edit,
} from './ast.ts';
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

    // Options in object literals: flip, loosen, drop, replace.
    if (ts.isObjectLiteralExpression(node)) {
      const sessionCookie = isSessionCookieObject(node);
      // Clearing a cookie matches it by name, path and domain only: its other attributes change nothing.
      const clearing = ts.isCallExpression(node.parent) && calleeName(node.parent) === 'clearCookie';
      for (const prop of node.properties) {
        const name = propertyName(prop, source);
        if (!name || !OPTIONS.has(name)) continue;
        if (clearing && name !== 'path' && name !== 'domain') continue;
        const safety = SAFETY_OPTIONS.has(name);
        if (ts.isShorthandPropertyAssignment(prop)) {
          if (name === 'secret') {
            add({
              operator: 'constant-secret',
              start: prop.getStart(source),
              end: prop.getEnd(),
              text: "secret: 'keyboard cat'",
              description: 'the secret written into the source',
              safety: true,
            });
          }
          if (name === 'secure') {
            add({
              operator: 'weaken-secure',
              start: prop.getStart(source),
              end: prop.getEnd(),
              text: 'secure: false',
              description: '`secure: false`',
              safety: true,
            });
          }
          continue;
        }
        if (!ts.isPropertyAssignment(prop)) continue;
        const value = prop.initializer;
        const valueText = text(value, source);
        if (!isDefault(name, valueText, sessionCookie) && name !== 'secret') {
          const [start, end] = removalRange(prop, source);
          add({ operator: 'drop-option', start, end, text: '', description: `\`${name}\` left out`, safety });
        }
        if (value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword) {
          const flipped = value.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true';
          add({
            operator: 'flip-option',
            start: value.getStart(source),
            end: value.getEnd(),
            text: flipped,
            description: `\`${name}: ${flipped}\``,
            safety,
          });
        } else if (name === 'secure') {
          add({
            operator: 'weaken-secure',
            start: value.getStart(source),
            end: value.getEnd(),
            text: 'false',
            description: '`secure: false`',
            safety: true,
          });
        } else if (name === 'sameSite' && ts.isStringLiteral(value)) {
          const to = value.text === 'none' ? 'lax' : value.text === 'strict' ? 'lax' : 'none';
          add({
            operator: 'loosen-samesite',
            start: value.getStart(source),
            end: value.getEnd(),
            text: `'${to}'`,
            description: `\`sameSite: '${to}'\``,
            safety: true,
          });
        } else if ((name === 'maxAge' || name === 'expires') && valueText !== 'undefined' && valueText !== 'null') {
          add({
            operator: 'change-expiry',
            start: value.getStart(source),
            end: value.getEnd(),
            text: `(${valueText}) * 10`,
            description: `\`${name}\` ten times longer`,
            safety: true,
          });
        } else if (name === 'secret' && !ts.isStringLiteral(value)) {
          add({
            operator: 'constant-secret',
            start: value.getStart(source),
            end: value.getEnd(),
            text: "'keyboard cat'",
            description: 'the secret written into the source',
            safety: true,
          });
        } else if ((name === 'name' || name === 'path' || name === 'domain') && ts.isStringLiteral(value)) {
          const to =
            name === 'name'
              ? value.text === 'connect.sid'
                ? 'sid'
                : 'connect.sid'
              : name === 'path'
                ? '/'
                : 'example.com';
          if (to !== value.text) {
            add({
              operator: `change-${name}`,
              start: value.getStart(source),
              end: value.getEnd(),
              text: `'${to}'`,
              description: `\`${name}: '${to}'\``,
              safety: false,
            });
          }
        }
      }
    }

    // An option's default in a destructured parameter (`{ secure = process.env.NODE_ENV === 'production' }`).
    if (
      ts.isBindingElement(node) &&
      node.initializer &&
      ts.isIdentifier(node.name) &&
      ts.isObjectBindingPattern(node.parent)
    ) {
      const name = node.name.text;
      const value = node.initializer;
      const valueText = text(value, source);
      if (value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword) {
        if (OPTIONS.has(name)) {
          const flipped = value.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true';
          add({
            operator: 'flip-option',
            start: value.getStart(source),
            end: value.getEnd(),
            text: flipped,
            description: `\`${name}\` defaults to \`${flipped}\``,
            safety: SAFETY_OPTIONS.has(name),
          });
        }
      } else if (name === 'secure') {
        add({
          operator: 'weaken-secure',
          start: value.getStart(source),
          end: value.getEnd(),
          text: 'false',
          description: '`secure` defaults to `false`',
          safety: true,
        });
      } else if (name === 'sameSite' && ts.isStringLiteral(value)) {
        const to = value.text === 'none' ? 'lax' : value.text === 'strict' ? 'lax' : 'none';
        add({
          operator: 'loosen-samesite',
          start: value.getStart(source),
          end: value.getEnd(),
          text: `'${to}'`,
          description: `\`sameSite\` defaults to \`'${to}'\``,
          safety: true,
        });
      } else if ((name === 'maxAge' || name === 'expires') && ts.isNumericLiteral(value)) {
        add({
          operator: 'change-expiry',
          start: value.getStart(source),
          end: value.getEnd(),
          text: `(${valueText}) * 10`,
          description: `\`${name}\` defaults to ten times longer`,
          safety: true,
        });
      }
    }

    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      const callee = node.expression;
      // app.set('trust proxy', X): trust every proxy, or none.
      if (
        name === 'set' &&
        node.arguments.length === 2 &&
        ts.isStringLiteral(node.arguments[0]!) &&
        node.arguments[0].text === 'trust proxy'
      ) {
        const value = node.arguments[1]!;
        if (text(value, source) !== 'true') {
          add({
            operator: 'trust-proxy',
            start: value.getStart(source),
            end: value.getEnd(),
            text: 'true',
            description: '`trust proxy` set to `true` (every hop trusted)',
            safety: true,
          });
        }
        if (ts.isExpressionStatement(node.parent)) {
          const [start, end] = statementRange(node.parent, source);
          add({ operator: 'remove-call', start, end, text: '', description: '`trust proxy` left unset', safety: true });
        }
      }
      // app.use(...) left out: a middleware (cookieParser(), session(), a guard) not installed.
      if (name === 'use' && ts.isPropertyAccessExpression(callee) && ts.isExpressionStatement(node.parent)) {
        const [start, end] = statementRange(node.parent, source);
        const what = node.arguments
          .map((a) => text(a, source))
          .join(', ')
          .replace(/\s+/g, ' ');
        const short = what.length > 40 ? `${what.slice(0, 40)}…` : what;
        add({
          operator: 'remove-middleware',
          start,
          end,
          text: '',
          description: `\`app.use(${short})\` left out`,
          safety: /session|cookieParser|csrf|origin/i.test(what),
        });
      }
      // A callback call left out: the callback runs at once, without it.
      if (name && CALLBACK_CALLS.has(name) && ts.isPropertyAccessExpression(callee)) {
        const fn = node.arguments.find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
        if (fn) {
          add({
            operator: 'remove-call',
            start: node.getStart(source),
            end: node.getEnd(),
            text: `(${text(fn, source)})(undefined)`,
            description: `\`${name}()\` left out (its callback runs at once)`,
            safety: SAFETY_CALLS.has(name),
          });
        }
      }
      // A call left out where it stands alone or in a chain (res.clearCookie(...).send(...)).
      if (
        name &&
        DROPPABLE_CALLS.has(name) &&
        ts.isPropertyAccessExpression(callee) &&
        !node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a))
      ) {
        const parent = node.parent;
        const safety = SAFETY_CALLS.has(name);
        if (
          ts.isExpressionStatement(parent) ||
          (ts.isAwaitExpression(parent) && ts.isExpressionStatement(parent.parent))
        ) {
          const [start, end] = statementRange(ts.isExpressionStatement(parent) ? parent : parent.parent, source);
          add({ operator: 'remove-call', start, end, text: '', description: `\`${name}()\` left out`, safety });
        } else if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
          add({
            operator: 'remove-call',
            start: node.getStart(source),
            end: node.getEnd(),
            text: text(callee.expression, source),
            description: `\`${name}()\` left out of the chain`,
            safety,
          });
        }
      }
      // A cookie cleared under another name than it was set with.
      if (name === 'clearCookie' && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        const arg = node.arguments[0];
        const to = arg.text === 'connect.sid' ? 'sid' : 'connect.sid';
        add({
          operator: 'change-name',
          start: arg.getStart(source),
          end: arg.getEnd(),
          text: `'${to}'`,
          description: `the cookie cleared as \`${to}\``,
          safety: true,
        });
      }
      // A status code changed: a refusal answered as a success.
      if ((name === 'status' || name === 'sendStatus') && node.arguments[0] && ts.isNumericLiteral(node.arguments[0])) {
        const arg = node.arguments[0];
        const to = arg.text === '200' ? '500' : '200';
        add({
          operator: 'change-status',
          start: arg.getStart(source),
          end: arg.getEnd(),
          text: to,
          description: `status ${to} instead of ${arg.text}`,
          safety: false,
        });
      }
      // An escape or encode left out.
      if (name && ESCAPE_CALL.test(name) && node.arguments.length === 1) {
        add({
          operator: 'remove-escape',
          start: node.getStart(source),
          end: node.getEnd(),
          text: `String(${text(node.arguments[0]!, source)})`,
          description: `\`${name}()\` left out`,
          safety: true,
        });
      }
      // A random development secret replaced by a fixed one.
      if (
        ts.isPropertyAccessExpression(callee) &&
        ts.isCallExpression(callee.expression) &&
        calleeName(callee.expression) === 'randomBytes' &&
        name === 'toString'
      ) {
        add({
          operator: 'constant-secret',
          start: node.getStart(source),
          end: node.getEnd(),
          text: "'keyboard cat'",
          description: 'a fixed string instead of random bytes',
          safety: true,
        });
      }
    }

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
