/**
 * What the mutation operators know about a snippet's syntax tree: which options and calls matter
 * (and which of them are safety settings), names and ranges of nodes, default values, guards.
 * @module
 */
import ts from 'typescript';

/** One edit of the source: replace `[start, end)` with `text`. */
export interface Edit {
  operator: string;
  start: number;
  end: number;
  text: string;
  /** What the mistake is, in words. */
  description: string;
  safety: boolean;
}

/** Options whose weakening is a safety mistake. */
export const SAFETY_OPTIONS = new Set([
  'httpOnly',
  'secure',
  'sameSite',
  'signed',
  'saveUninitialized',
  'maxAge',
  'expires',
  'secret',
  'rolling',
]);

/** Options the operators change or drop (inside any object literal of the snippet). */
export const OPTIONS = new Set([
  ...SAFETY_OPTIONS,
  'path',
  'domain',
  'name',
  'resave',
  'partitioned',
  'priority',
  'unset',
  'proxy',
]);

/** Calls that take a callback; leaving one out means its callback runs at once, without it. */
export const CALLBACK_CALLS = new Set(['regenerate', 'save', 'destroy', 'reload', 'touch']);
/** Calls whose absence is a safety mistake. */
export const SAFETY_CALLS = new Set(['regenerate', 'destroy', 'clearCookie']);
/** Calls that may be left out where they stand as a statement or a chain link. */
export const DROPPABLE_CALLS = new Set([...CALLBACK_CALLS, 'clearCookie', 'cookie', 'disable']);
/** Calls that escape or encode a value; a reader who drops one passes the raw value. */
export const ESCAPE_CALL = /^(escape|encode|sanitize|sanitise)/i;

export function text(node: ts.Node, source: ts.SourceFile): string {
  return node.getText(source);
}

export function propertyName(node: ts.ObjectLiteralElementLike, source: ts.SourceFile): string | undefined {
  if (!node.name) return undefined;
  if (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) return node.name.text;
  return text(node.name, source);
}

/** The name a call is made by: `regenerate` for `req.session.regenerate(...)`, `cookieParser` for `cookieParser()`. */
export function calleeName(call: ts.CallExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** True when `node` is the `cookie: {...}` object inside a `session({...})` call (whose defaults differ from res.cookie's). */
export function isSessionCookieObject(node: ts.ObjectLiteralExpression): boolean {
  const parent = node.parent;
  if (!parent || !ts.isPropertyAssignment(parent) || !ts.isIdentifier(parent.name) || parent.name.text !== 'cookie')
    return false;
  const outer = parent.parent;
  if (!outer || !ts.isObjectLiteralExpression(outer)) return false;
  const call = outer.parent;
  return !!call && ts.isCallExpression(call) && calleeName(call) === 'session';
}

/** Dropping an option whose value is already the default changes nothing: not a mutant. */
export function isDefault(name: string, value: string, sessionCookie: boolean): boolean {
  if (name === 'path' && value === "'/'") return true;
  if (['secure', 'signed', 'rolling', 'partitioned'].includes(name) && value === 'false') return true;
  if (name === 'httpOnly') return value === (sessionCookie ? 'true' : 'false');
  if (name === 'proxy' && value === 'undefined') return true;
  // express-session's defaults (with a deprecation warning when left out).
  if ((name === 'saveUninitialized' || name === 'resave') && value === 'true') return true;
  return false;
}

/** The removal of an element from a comma-separated list, with its comma. */
export function removalRange(node: ts.Node, source: ts.SourceFile): [number, number] {
  const full = source.text;
  let end = node.getEnd();
  let start = node.getStart(source);
  const after = /^\s*,/.exec(full.slice(end));
  if (after) end += after[0].length;
  else {
    const before = /,\s*$/.exec(full.slice(0, start));
    if (before) start -= before[0].length;
  }
  return [start, end];
}

/** The removal of a whole statement, with its line when it stands alone on it. */
export function statementRange(node: ts.Node, source: ts.SourceFile): [number, number] {
  const full = source.text;
  let start = node.getStart(source);
  let end = node.getEnd();
  const lineStart = full.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = full.indexOf('\n', end);
  const rest = full.slice(end, lineEnd === -1 ? full.length : lineEnd);
  if (/^\s*$/.test(full.slice(lineStart, start)) && /^\s*(\/\/.*)?$/.test(rest)) {
    start = lineStart;
    end = lineEnd === -1 ? full.length : lineEnd + 1;
  }
  return [start, end];
}

export function statusOf(node: ts.Node, _source: ts.SourceFile): number[] {
  const found: number[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ['status', 'sendStatus'].includes(calleeName(n) ?? '')) {
      const arg = n.arguments[0];
      if (arg && ts.isNumericLiteral(arg)) found.push(Number(arg.text));
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** A guard whose weakening is a safety mistake: it refuses (4xx, throw) or concerns the secret or production. */
export function isSafetyGuard(node: ts.IfStatement, source: ts.SourceFile): boolean {
  const cond = text(node.expression, source);
  if (/NODE_ENV|production|SECRET|secret/.test(cond)) return true;
  const then = node.thenStatement;
  if (statusOf(then, source).some((s) => s >= 400 && s < 500)) return true;
  let throws = false;
  const visit = (n: ts.Node): void => {
    if (ts.isThrowStatement(n)) throws = true;
    ts.forEachChild(n, visit);
  };
  visit(then);
  return throws;
}

/** Source ranges excluded from mutation: the `listen` region (it only runs the file directly). */
export function excludedRanges(source: ts.SourceFile): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const re = /\/\/ #region listen\b[\s\S]*?\/\/ #endregion listen\b/g;
  for (let m = re.exec(source.text); m; m = re.exec(source.text)) ranges.push([m.index, m.index + m[0].length]);
  return ranges;
}
