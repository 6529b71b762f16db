/**
 * Operators on options: an option flipped, loosened, dropped or replaced, in an object literal or as a destructured default.
 * @module
 */
import ts from 'typescript';
import {
  calleeName,
  isDefault,
  isSessionCookieObject,
  OPTIONS,
  propertyName,
  removalRange,
  SAFETY_OPTIONS,
  text,
  type Edit,
} from './ast.ts';

/** Adds the edits of this family that `node` allows (its children are visited by the caller). */
export function optionEdits(node: ts.Node, source: ts.SourceFile, add: (e: Edit) => void): void {
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
      } else if (
        !weakenValue(name, value, source, add, (to) => `\`${name}: ${to}\``) &&
        (name === 'maxAge' || name === 'expires') &&
        valueText !== 'undefined' &&
        valueText !== 'null'
      ) {
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
    } else if (
      !weakenValue(name, value, source, add, (to) => `\`${name}\` defaults to \`${to}\``) &&
      (name === 'maxAge' || name === 'expires') &&
      ts.isNumericLiteral(value)
    ) {
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
}

/**
 * `secure` set to `false`, or a string `sameSite` loosened (`none` or `strict` to `lax`, `lax` to
 * `none`), as an option's value or as a destructured default; `describe` words the new value.
 * Returns whether `name` was one of the two.
 */
function weakenValue(
  name: string,
  value: ts.Expression,
  source: ts.SourceFile,
  add: (e: Edit) => void,
  describe: (to: string) => string,
): boolean {
  if (name === 'secure') {
    add({
      operator: 'weaken-secure',
      start: value.getStart(source),
      end: value.getEnd(),
      text: 'false',
      description: describe('false'),
      safety: true,
    });
    return true;
  }
  if (name === 'sameSite' && ts.isStringLiteral(value)) {
    const to = value.text === 'none' ? 'lax' : value.text === 'strict' ? 'lax' : 'none';
    add({
      operator: 'loosen-samesite',
      start: value.getStart(source),
      end: value.getEnd(),
      text: `'${to}'`,
      description: describe(`'${to}'`),
      safety: true,
    });
    return true;
  }
  return false;
}
