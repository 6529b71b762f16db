/**
 * Operators on calls: trust proxy, a middleware or a callback call left out, a cookie cleared under another name, a status code changed, an escape left out, a fixed development secret.
 * @module
 */
import ts from 'typescript';
import {
  CALLBACK_CALLS,
  calleeName,
  DROPPABLE_CALLS,
  ESCAPE_CALL,
  SAFETY_CALLS,
  statementRange,
  text,
  type Edit,
} from './ast.ts';

/** Adds the edits of this family that `node` allows (its children are visited by the caller). */
export function callEdits(node: ts.Node, source: ts.SourceFile, add: (e: Edit) => void): void {
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
}
