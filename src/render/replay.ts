/**
 * Each claim's recorded exchanges as a file a reader can replay against their own server:
 * `NN-slug/exchanges.http`, in the REST-client format (VS Code's REST Client, JetBrains' HTTP
 * client), linked from the chapter's evidence page. The exchanges are the masked ones the evidence
 * page shows; a recorded value is data in this file, never markup, and every line of it is cut to
 * one line so that no recorded text can start a request or a header of its own.
 * @module
 */
import type { Chapter, ChapterResult, Exchange } from '../types.ts';
import { chapterNumber } from './layout.ts';
import { maskExchanges } from './mask.ts';
import { claimId } from './results.ts';

/** The replay file's name, next to the chapter page. */
export const REPLAY_FILE = 'exchanges.http';

/** What a masked value looks like: it stands for a value of the recorded run, not one to send. */
const MASKED = /<(?:session-id|random)-\d+>|<sig>|<date>|<timestamp>/;

/** One line, at most `max` characters: line breaks and other control characters become spaces. */
function oneLine(text: string, max = 300): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced.
  const line = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}… (${line.length} characters)` : line;
}

/** One exchange as a REST-client request, what the recorded run got back as comments above it. */
export function replayRequest(e: Exchange, title: string): string {
  const lines = [`### ${oneLine(title)}`];
  lines.push(`# Recorded response: ${e.status}`);
  for (const cookie of e.setCookie) lines.push(`# Set-Cookie: ${oneLine(cookie)}`);
  if (e.location !== undefined) lines.push(`# Location: ${oneLine(e.location)}`);
  const body = e.body.trim();
  if (body) lines.push(`# Body: ${oneLine(body, 200)}`);
  // The request line: the path as the server received it (a path has no spaces or line breaks;
  // anything else is cut to one line and its spaces encoded).
  const path = oneLine(e.path, 8192).replace(/ /g, '%20');
  lines.push(`${oneLine(e.method, 20).replace(/\s/g, '')} {{host}}${path.startsWith('/') ? '' : '/'}${path}`);
  for (const [name, value] of Object.entries(e.headers ?? {}))
    lines.push(`${oneLine(name, 100).replace(/[\s:]/g, '')}: ${oneLine(value, 8192)}`);
  if (e.cookie !== undefined) {
    // A cookie of the recorded run (a masked session ID) means nothing to your server: your client's
    // cookie jar sends your own. A cookie the test made up (a forged one, say) is sent as recorded.
    const cookie = oneLine(e.cookie, 8192);
    lines.push(
      MASKED.test(cookie) ? `# Cookie (recorded, masked; your client sends its own): ${cookie}` : `Cookie: ${cookie}`,
    );
  }
  return lines.join('\n');
}

/** The replay file of a chapter: every claim's exchanges, in order, under `@host`. */
export function replayFile(chapter: Chapter, result: ChapterResult | undefined): string {
  const title = `Chapter ${chapterNumber(chapter.number)}, ${oneLine(chapter.meta.title)}`;
  const out = [
    `# ${title}: the HTTP requests behind each claim, as its test made them.`,
    "# Replay them against your own server with a REST client (VS Code's REST Client, a JetBrains IDE):",
    "# start the chapter's app.ts first, or the article.ts or pitfall file a claim is about. Values that",
    '# change from run to run are masked (<session-id-1>, <sig>, <date>); request bodies were not recorded.',
    '',
    '@host = http://localhost:3000',
    '',
  ];
  const tests = result?.tests ?? [];
  if (tests.every((t) => t.exchanges.length === 0)) out.push('# No recorded exchanges.', '');
  tests.forEach((test, index) => {
    const exchanges = maskExchanges(test.exchanges);
    exchanges.forEach((e, i) => {
      const of = exchanges.length > 1 ? `, request ${i + 1} of ${exchanges.length}` : '';
      out.push(replayRequest(e, `${claimId(index)}${of}: ${test.name}`), '');
    });
  });
  return out.join('\n');
}

/** The evidence page's link to the replay file. */
export function replayLink(): string {
  return (
    `<p class="replay">Replay these requests against your own server: <a href="${REPLAY_FILE}" download>${REPLAY_FILE}</a> ` +
    '(for a REST client; the host is <code>http://localhost:3000</code>, one <code>@host</code> line to change).</p>'
  );
}
