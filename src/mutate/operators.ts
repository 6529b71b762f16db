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

/** One edit of the source: replace `[start, end)` with `text`. */
interface Edit {
  operator: string;
  start: number;
  end: number;
  text: string;
  /** What the mistake is, in words. */
  description: string;
  safety: boolean;
}

/** Options whose weakening is a safety mistake. */
const SAFETY_OPTIONS = new Set(['httpOnly', 'secure', 'sameSite', 'signed', 'saveUninitialized', 'maxAge', 'expires', 'secret', 'rolling']);

/** Options the operators change or drop (inside any object literal of the snippet). */
const OPTIONS = new Set([...SAFETY_OPTIONS, 'path', 'domain', 'name', 'resave', 'partitioned', 'priority', 'unset', 'proxy']);

/** Calls that take a callback; leaving one out means its callback runs at once, without it. */
const CALLBACK_CALLS = new Set(['regenerate', 'save', 'destroy', 'reload', 'touch']);
/** Calls whose absence is a safety mistake. */
const SAFETY_CALLS = new Set(['regenerate', 'destroy', 'clearCookie']);
/** Calls that may be left out where they stand as a statement or a chain link. */
const DROPPABLE_CALLS = new Set([...CALLBACK_CALLS, 'clearCookie', 'cookie', 'disable']);
/** Calls that escape or encode a value; a reader who drops one passes the raw value. */
const ESCAPE_CALL = /^(escape|encode|sanitize|sanitise)/i;

function text(node: ts.Node, source: ts.SourceFile): string {
  return node.getText(source);
}

function propertyName(node: ts.ObjectLiteralElementLike, source: ts.SourceFile): string | undefined {
  if (!node.name) return undefined;
  if (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) return node.name.text;
  return text(node.name, source);
}

/** The name a call is made by: `regenerate` for `req.session.regenerate(...)`, `cookieParser` for `cookieParser()`. */
function calleeName(call: ts.CallExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** True when `node` is the `cookie: {...}` object inside a `session({...})` call (whose defaults differ from res.cookie's). */
function isSessionCookieObject(node: ts.ObjectLiteralExpression): boolean {
  const parent = node.parent;
  if (!parent || !ts.isPropertyAssignment(parent) || !ts.isIdentifier(parent.name) || parent.name.text !== 'cookie') return false;
  const outer = parent.parent;
  if (!outer || !ts.isObjectLiteralExpression(outer)) return false;
  const call = outer.parent;
  return !!call && ts.isCallExpression(call) && calleeName(call) === 'session';
}

/** Dropping an option whose value is already the default changes nothing: not a mutant. */
function isDefault(name: string, value: string, sessionCookie: boolean): boolean {
  if (name === 'path' && value === "'/'") return true;
  if (['secure', 'signed', 'rolling', 'partitioned'].includes(name) && value === 'false') return true;
  if (name === 'httpOnly') return value === (sessionCookie ? 'true' : 'false');
  if (name === 'proxy' && value === 'undefined') return true;
  // express-session's defaults (with a deprecation warning when left out).
  if ((name === 'saveUninitialized' || name === 'resave') && value === 'true') return true;
  return false;
}

/** The removal of an element from a comma-separated list, with its comma. */
function removalRange(node: ts.Node, source: ts.SourceFile): [number, number] {
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
function statementRange(node: ts.Node, source: ts.SourceFile): [number, number] {
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

function statusOf(node: ts.Node, source: ts.SourceFile): number[] {
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
function isSafetyGuard(node: ts.IfStatement, source: ts.SourceFile): boolean {
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
function excludedRanges(source: ts.SourceFile): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const re = /\/\/ #region listen\b[\s\S]*?\/\/ #endregion listen\b/g;
  for (let m = re.exec(source.text); m; m = re.exec(source.text)) ranges.push([m.index, m.index + m[0].length]);
  return ranges;
}

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
            add({ operator: 'constant-secret', start: prop.getStart(source), end: prop.getEnd(), text: "secret: 'keyboard cat'", description: 'the secret written into the source', safety: true });
          }
          if (name === 'secure') {
            add({ operator: 'weaken-secure', start: prop.getStart(source), end: prop.getEnd(), text: 'secure: false', description: '`secure: false`', safety: true });
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
          add({ operator: 'flip-option', start: value.getStart(source), end: value.getEnd(), text: flipped, description: `\`${name}: ${flipped}\``, safety });
        } else if (name === 'secure') {
          add({ operator: 'weaken-secure', start: value.getStart(source), end: value.getEnd(), text: 'false', description: '`secure: false`', safety: true });
        } else if (name === 'sameSite' && ts.isStringLiteral(value)) {
          const to = value.text === 'none' ? 'lax' : value.text === 'strict' ? 'lax' : 'none';
          add({ operator: 'loosen-samesite', start: value.getStart(source), end: value.getEnd(), text: `'${to}'`, description: `\`sameSite: '${to}'\``, safety: true });
        } else if ((name === 'maxAge' || name === 'expires') && valueText !== 'undefined' && valueText !== 'null') {
          add({ operator: 'change-expiry', start: value.getStart(source), end: value.getEnd(), text: `(${valueText}) * 10`, description: `\`${name}\` ten times longer`, safety: true });
        } else if (name === 'secret' && !ts.isStringLiteral(value)) {
          add({ operator: 'constant-secret', start: value.getStart(source), end: value.getEnd(), text: "'keyboard cat'", description: 'the secret written into the source', safety: true });
        } else if ((name === 'name' || name === 'path' || name === 'domain') && ts.isStringLiteral(value)) {
          const to = name === 'name' ? (value.text === 'connect.sid' ? 'sid' : 'connect.sid') : name === 'path' ? '/' : 'example.com';
          if (to !== value.text) {
            add({ operator: `change-${name}`, start: value.getStart(source), end: value.getEnd(), text: `'${to}'`, description: `\`${name}: '${to}'\``, safety: false });
          }
        }
      }
    }

    // An option's default in a destructured parameter (`{ secure = process.env.NODE_ENV === 'production' }`).
    if (ts.isBindingElement(node) && node.initializer && ts.isIdentifier(node.name) && ts.isObjectBindingPattern(node.parent)) {
      const name = node.name.text;
      const value = node.initializer;
      const valueText = text(value, source);
      if (value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword) {
        if (OPTIONS.has(name)) {
          const flipped = value.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true';
          add({ operator: 'flip-option', start: value.getStart(source), end: value.getEnd(), text: flipped, description: `\`${name}\` defaults to \`${flipped}\``, safety: SAFETY_OPTIONS.has(name) });
        }
      } else if (name === 'secure') {
        add({ operator: 'weaken-secure', start: value.getStart(source), end: value.getEnd(), text: 'false', description: '`secure` defaults to `false`', safety: true });
      } else if (name === 'sameSite' && ts.isStringLiteral(value)) {
        const to = value.text === 'none' ? 'lax' : value.text === 'strict' ? 'lax' : 'none';
        add({ operator: 'loosen-samesite', start: value.getStart(source), end: value.getEnd(), text: `'${to}'`, description: `\`sameSite\` defaults to \`'${to}'\``, safety: true });
      } else if ((name === 'maxAge' || name === 'expires') && ts.isNumericLiteral(value)) {
        add({ operator: 'change-expiry', start: value.getStart(source), end: value.getEnd(), text: `(${valueText}) * 10`, description: `\`${name}\` defaults to ten times longer`, safety: true });
      }
    }

    if (ts.isCallExpression(node)) {
      const name = calleeName(node);
      const callee = node.expression;
      // app.set('trust proxy', X): trust every proxy, or none.
      if (name === 'set' && node.arguments.length === 2 && ts.isStringLiteral(node.arguments[0]!) && node.arguments[0].text === 'trust proxy') {
        const value = node.arguments[1]!;
        if (text(value, source) !== 'true') {
          add({ operator: 'trust-proxy', start: value.getStart(source), end: value.getEnd(), text: 'true', description: "`trust proxy` set to `true` (every hop trusted)", safety: true });
        }
        if (ts.isExpressionStatement(node.parent)) {
          const [start, end] = statementRange(node.parent, source);
          add({ operator: 'remove-call', start, end, text: '', description: '`trust proxy` left unset', safety: true });
        }
      }
      // app.use(...) left out: a middleware (cookieParser(), session(), a guard) not installed.
      if (name === 'use' && ts.isPropertyAccessExpression(callee) && ts.isExpressionStatement(node.parent)) {
        const [start, end] = statementRange(node.parent, source);
        const what = node.arguments.map((a) => text(a, source)).join(', ').replace(/\s+/g, ' ');
        const short = what.length > 40 ? `${what.slice(0, 40)}…` : what;
        add({ operator: 'remove-middleware', start, end, text: '', description: `\`app.use(${short})\` left out`, safety: /session|cookieParser|csrf|origin/i.test(what) });
      }
      // A callback call left out: the callback runs at once, without it.
      if (name && CALLBACK_CALLS.has(name) && ts.isPropertyAccessExpression(callee)) {
        const fn = node.arguments.find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
        if (fn) {
          add({ operator: 'remove-call', start: node.getStart(source), end: node.getEnd(), text: `(${text(fn, source)})(undefined)`, description: `\`${name}()\` left out (its callback runs at once)`, safety: SAFETY_CALLS.has(name) });
        }
      }
      // A call left out where it stands alone or in a chain (res.clearCookie(...).send(...)).
      if (name && DROPPABLE_CALLS.has(name) && ts.isPropertyAccessExpression(callee) && !node.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a))) {
        const parent = node.parent;
        const safety = SAFETY_CALLS.has(name);
        if (ts.isExpressionStatement(parent) || (ts.isAwaitExpression(parent) && ts.isExpressionStatement(parent.parent))) {
          const [start, end] = statementRange(ts.isExpressionStatement(parent) ? parent : parent.parent, source);
          add({ operator: 'remove-call', start, end, text: '', description: `\`${name}()\` left out`, safety });
        } else if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
          add({ operator: 'remove-call', start: node.getStart(source), end: node.getEnd(), text: text(callee.expression, source), description: `\`${name}()\` left out of the chain`, safety });
        }
      }
      // A cookie cleared under another name than it was set with.
      if (name === 'clearCookie' && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        const arg = node.arguments[0];
        const to = arg.text === 'connect.sid' ? 'sid' : 'connect.sid';
        add({ operator: 'change-name', start: arg.getStart(source), end: arg.getEnd(), text: `'${to}'`, description: `the cookie cleared as \`${to}\``, safety: true });
      }
      // A status code changed: a refusal answered as a success.
      if ((name === 'status' || name === 'sendStatus') && node.arguments[0] && ts.isNumericLiteral(node.arguments[0])) {
        const arg = node.arguments[0];
        const to = arg.text === '200' ? '500' : '200';
        add({ operator: 'change-status', start: arg.getStart(source), end: arg.getEnd(), text: to, description: `status ${to} instead of ${arg.text}`, safety: false });
      }
      // An escape or encode left out.
      if (name && ESCAPE_CALL.test(name) && node.arguments.length === 1) {
        add({ operator: 'remove-escape', start: node.getStart(source), end: node.getEnd(), text: `String(${text(node.arguments[0]!, source)})`, description: `\`${name}()\` left out`, safety: true });
      }
      // A random development secret replaced by a fixed one.
      if (ts.isPropertyAccessExpression(callee) && ts.isCallExpression(callee.expression) && calleeName(callee.expression) === 'randomBytes' && name === 'toString') {
        add({ operator: 'constant-secret', start: node.getStart(source), end: node.getEnd(), text: "'keyboard cat'", description: 'a fixed string instead of random bytes', safety: true });
      }
    }

    // The secret read from the environment replaced by a constant.
    if (ts.isPropertyAccessExpression(node) && /SECRET/.test(node.name.text) && text(node.expression, source) === 'process.env') {
      add({ operator: 'constant-secret', start: node.getStart(source), end: node.getEnd(), text: "'keyboard cat'", description: `\`${node.name.text}\` replaced by a constant`, safety: true });
    }

    // Guards: negated, dropped, or one half of a condition dropped.
    if (ts.isIfStatement(node)) {
      const cond = node.expression;
      const condText = text(cond, source);
      const safety = isSafetyGuard(node, source);
      add({ operator: 'negate-guard', start: cond.getStart(source), end: cond.getEnd(), text: `!(${condText})`, description: 'guard negated', safety });
      add({ operator: 'remove-guard', start: cond.getStart(source), end: cond.getEnd(), text: 'false', description: 'guard never taken', safety });
      if (ts.isBinaryExpression(cond) && (cond.operatorToken.kind === ts.SyntaxKind.BarBarToken || cond.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)) {
        for (const [kept, dropped] of [
          [cond.left, cond.right],
          [cond.right, cond.left],
        ] as const) {
          add({ operator: 'weaken-guard', start: cond.getStart(source), end: cond.getEnd(), text: text(kept, source), description: `\`${text(dropped, source).slice(0, 50)}\` dropped from the guard`, safety });
        }
      }
    }
    // A comparison in a value (not a guard) reversed: `secure: env === 'production'`, `x === 'dark' ? ...`.
    if (ts.isConditionalExpression(node)) {
      const cond = node.condition;
      add({ operator: 'negate-condition', start: cond.getStart(source), end: cond.getEnd(), text: `!(${text(cond, source)})`, description: 'condition negated', safety: false });
    }

    ts.forEachChild(node, visit);
  };
  visit(source);
  return edits;
}

function lineOf(source: ts.SourceFile, pos: number): number {
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
    after = mutated.slice(lineStart, start + replacement.length).replace(/\n$/, '').split('\n');
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
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: Array<[' ' | '-' | '+', string]> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) out.push([' ', before[i++]!]), j++;
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push(['-', before[i++]!]);
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
