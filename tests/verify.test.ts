import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BuildReport, build } from '../src/build.ts';
import { findChapters } from '../src/find.ts';
import { withRealMessage } from '../src/verify-reporter.ts';
import {
  cleanFailure,
  dependencyVersions,
  loadVerification,
  parseVitestReport,
  saveVerification,
  type VitestJsonReport,
} from '../src/verify.ts';

const root = join(import.meta.dirname, '..');
const chapters = findChapters(join(root, 'tests/fixtures/chapters-e2e'), root);
const spec = (id: string) => join(root, 'tests/fixtures/chapters-e2e', id, 'app.test.ts');

const report: VitestJsonReport = {
  testResults: [
    {
      name: spec('01-passing'),
      status: 'passed',
      assertionResults: [
        {
          ancestorTitles: ['counting visits'],
          title: 'first',
          status: 'passed',
          duration: 12.6,
          failureMessages: [],
          location: { line: 6, column: 3 },
          meta: { exchanges: [{ method: 'GET', path: '/', status: 200, setCookie: [], body: 'ok' }] },
        },
        {
          ancestorTitles: ['counting visits'],
          title: 'needs Redis',
          status: 'skipped',
          duration: null,
          failureMessages: [],
          meta: {},
        },
      ],
    },
    {
      name: spec('02-failing'),
      status: 'failed',
      assertionResults: [
        {
          ancestorTitles: [],
          title: 'is HttpOnly',
          status: 'failed',
          duration: 3.2,
          failureMessages: [
            `\u001b[31mAssertionError: expected 'a' to contain 'b'\u001b[39m\n\n- Expected\n+ Received\n    at ${root}/tests/fixtures/chapters-e2e/02-failing/app.test.ts:13:5\n    at run (node_modules/x.js:1:1)`,
          ],
          location: { line: 11, column: 3 },
        },
      ],
    },
    { name: join(root, 'chapters/99-elsewhere/app.test.ts'), status: 'passed', assertionResults: [] },
  ],
};

describe('verify: the run', () => {
  test("records the installed version of each of package.json's runtime dependencies", () => {
    const root = join(import.meta.dirname, '..');
    const versions = dependencyVersions(root);
    expect(Object.keys(versions)).toEqual(
      expect.arrayContaining(['express', 'express-session', 'cookie-parser', 'better-sqlite3', 'tsx']),
    );
    expect(versions['better-sqlite3']).toMatch(/^12\./);
    expect(versions.express).toMatch(/^5\./);
    expect(dependencyVersions(join(root, 'no-such-folder'))).toEqual({});
  });
});

describe('verify: vitest JSON report to results', () => {
  test('each test: name, describe path, status, rounded duration, spec file and line, exchanges', () => {
    const [passing] = parseVitestReport(report, chapters, root);
    expect(passing).toEqual({
      id: '01-passing',
      fileErrors: [],
      tests: [
        {
          name: 'first',
          describe: ['counting visits'],
          status: 'passed',
          durationMs: 13,
          file: 'app.test.ts',
          line: 6,
          exchanges: [{ method: 'GET', path: '/', status: 200, setCookie: [], body: 'ok' }],
        },
        {
          name: 'needs Redis',
          describe: ['counting visits'],
          status: 'skipped',
          durationMs: 0,
          file: 'app.test.ts',
          exchanges: [],
        },
      ],
    });
  });

  test('a failure keeps the message and diff, without colours, stack frames or local paths', () => {
    const [, failing] = parseVitestReport(report, chapters, root);
    expect(failing?.tests[0]?.failure).toBe("AssertionError: expected 'a' to contain 'b'\n\n- Expected\n+ Received");
    expect(cleanFailure(`Error: cannot read ${root}/chapters/01-x/app.ts`, root)).toBe(
      'Error: cannot read chapters/01-x/app.ts',
    );
  });

  test('a spec file that did not run at all is a file error of its chapter', () => {
    const broken: VitestJsonReport = {
      testResults: [
        { name: spec('02-failing'), status: 'failed', message: 'SyntaxError: Unexpected token', assertionResults: [] },
      ],
    };
    expect(parseVitestReport(broken, chapters, root)[1]).toEqual({
      id: '02-failing',
      tests: [],
      fileErrors: [{ file: 'app.test.ts', message: 'SyntaxError: Unexpected token' }],
    });
  });

  test('results round-trip through a file; a bad file is refused with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-'));
    try {
      const file = join(dir, 'results.json');
      const verification = {
        run: {
          versions: { node: '20', express: '5', 'express-session': '1', 'cookie-parser': '1' },
          date: '2025-01-01T00:00:00.000Z',
          commit: 'abc',
          dirty: false,
        },
        chapters: parseVitestReport(report, chapters, root),
      };
      saveVerification(file, verification);
      expect(loadVerification(file)).toEqual(verification);
      writeFileSync(file, '{"chapters": 3}');
      expect(() => loadVerification(file, 'results.json')).toThrow('results.json: not a results file');
      writeFileSync(file, 'nope');
      expect(() => loadVerification(file, 'results.json')).toThrow('results.json: not valid JSON');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The verify stage under faults, through a real build of tests/fixtures/chapters-faults: specs that
 * never finish (a synchronous loop or a promise that never settles, at import time or inside a
 * test), a spec that kills its own process, one that calls process.exit, one past vitest's own
 * time-out, and a passing chapter whose result must survive all of them. The time limit is small
 * (5 s) so that the hanging chapters are stopped soon; it counts from each spec file's start, not
 * from vitest's start-up, so a loaded machine does not make the passing chapters late.
 */
describe('verify: faults', () => {
  const faults = join(root, 'tests/fixtures/chapters-faults');
  let work = '';
  const out = () => join(work, 'site');
  const lines: string[] = [];
  let report: BuildReport;
  const page = (id: string) => readFileSync(join(out(), id, 'index.html'), 'utf8');
  const errorOf = (id: string) => report.verification.chapters.find((c) => c.id === id)?.fileErrors[0];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'verify-faults-'));
    void startKillScenario(); // runs while this build waits on its hanging chapters
    report = await build({
      root,
      chaptersDir: faults,
      out: out(),
      timeLimit: 5,
      mutationResults: false,
      search: false,
      apiDocs: false,
      log: (l) => lines.push(l),
    });
  }, 240_000);

  afterAll(async () => {
    await killRun?.catch(() => undefined); // never leave its builder running
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a synchronous loop inside a test: the chapter is stopped after the limit, named with its file and test, on the terminal and the page', () => {
    expect(errorOf('02-sync-loop')).toEqual({
      file: 'app.test.ts',
      fault: 'timeout',
      message: `Timed out after 5 s in test "spinning › loops forever": the build stopped this chapter's run (the time limit is 5 s; --time-limit changes it). No claim of app.test.ts is verified.`,
    });
    expect(lines).toContain(
      `  ✗ tests/fixtures/chapters-faults/02-sync-loop/app.test.ts: Timed out after 5 s in test "spinning › loops forever": the build stopped this chapter's run (the time limit is 5 s; --time-limit changes it). No claim of app.test.ts is verified.`,
    );
    expect(report.failed).toContainEqual(
      expect.objectContaining({
        chapter: '02-sync-loop',
        name: 'app.test.ts was stopped: its chapter timed out',
        where: 'tests/fixtures/chapters-faults/02-sync-loop/app.test.ts',
      }),
    );
    const html = page('02-sync-loop');
    expect(html).toContain('<p class="badge failed">0 of 1 claims verified (1 failed)</p>');
    expect(html).toContain(
      '<li class="failed">app.test.ts was stopped: its chapter timed out<small><b>failed</b>: no claim of this file is verified</small><pre class="failure">Timed out after 5 s in test "spinning › loops forever"',
    );
  });

  test('a promise that never settles inside a test, with a longer time-out of its own: stopped at the limit, with the test', () => {
    expect(errorOf('05-never-settles-in-test')).toMatchObject({
      fault: 'timeout',
      message: expect.stringMatching(/^Timed out after 5 s in test "waits forever": /),
    });
  });

  test('a spec that never finishes loading (a promise at import time, a synchronous loop at import time): stopped, said to be while loading', () => {
    for (const id of ['03-never-settles-at-import', '04-sync-loop-at-import']) {
      expect(errorOf(id)).toMatchObject({
        file: 'app.test.ts',
        fault: 'timeout',
        message: expect.stringMatching(
          /^Timed out after 5 s while loading the spec file or in a hook outside any test \(no test was running\): /,
        ),
      });
      expect(page(id)).toContain('app.test.ts was stopped: its chapter timed out');
    }
  });

  test('a spec that kills its own process: the report names the spec, the test and the signal', () => {
    expect(errorOf('06-killed')).toEqual({
      file: 'app.test.ts',
      fault: 'crash',
      message:
        'The process running this spec died (killed by SIGKILL) in test "kills its own process". No claim of app.test.ts is verified.',
    });
    expect(lines).toContain(
      '  ✗ tests/fixtures/chapters-faults/06-killed/app.test.ts: The process running this spec died (killed by SIGKILL) in test "kills its own process". No claim of app.test.ts is verified.',
    );
    expect(page('06-killed')).toContain("app.test.ts was stopped: its chapter's process died");
  });

  test('a spec that calls process.exit(3): a failed claim naming the exit code', () => {
    const [exits] = report.verification.chapters.find((c) => c.id === '07-exits')?.tests ?? [];
    expect(exits).toMatchObject({
      name: 'exits with code 3',
      status: 'failed',
      failure: 'Error: process.exit unexpectedly called with "3"',
    });
  });

  test("vitest's own test time-out shows its real message, not STACK_TRACE_ERROR", () => {
    const [late] = report.verification.chapters.find((c) => c.id === '08-vitest-timeout')?.tests ?? [];
    expect(late?.status).toBe('failed');
    expect(late?.failure).toMatch(/^Error: Test timed out in 100ms\.\n/);
    expect(page('08-vitest-timeout')).not.toContain('STACK_TRACE_ERROR');
    expect(page('08-vitest-timeout')).toContain('Test timed out in 100ms.');
  });

  test('the other chapters are still verified and shown, and every chapter page says which run its results come from', () => {
    expect(report.verification.chapters.find((c) => c.id === '01-passing')?.tests.map((t) => t.status)).toEqual([
      'passed',
    ]);
    expect(page('01-passing')).toContain('<p class="badge passed">1 of 1 claims verified</p>');
    for (const id of ['01-passing', '02-sync-loop', '06-killed'])
      expect(page(id)).toMatch(
        /<p class="note run-of">These results come from the run of <time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time> at commit <code>/,
      );
    expect(report.tally).toMatchObject({ passed: 1, failed: 7 });
  });
});

describe('verify: the real time-out message', () => {
  test('an error whose stack was captured before its message was set shows the message', () => {
    const error = {
      name: 'Error',
      message: 'Test timed out in 200ms.\nIf this is a long-running test, …',
      stack: 'Error: STACK_TRACE_ERROR\n    at x (file.ts:1:1)',
    };
    withRealMessage(error);
    expect(error.stack).toBe(
      'Error: Test timed out in 200ms.\nIf this is a long-running test, …\n    at x (file.ts:1:1)',
    );
    const fine = {
      name: 'AssertionError',
      message: 'expected 1 to be 2',
      stack: 'AssertionError: expected 1 to be 2\n    at y',
    };
    withRealMessage(fine);
    expect(fine.stack).toBe('AssertionError: expected 1 to be 2\n    at y');
  });
});

describe('verify: the build killed with kill -9', () => {
  test('the vitest process does not outlive the build, even with a spec spinning in a loop', async () => {
    const seen = await startKillScenario();
    expect(seen).toEqual({
      vitestStarted: true,
      aliveWhileSpinning: true,
      runFolderFound: true,
      vitestGone: true,
      runFolderGone: true,
    });
  }, 300_000);
});

/** Pids of the processes under `pid` whose command line contains `text`. */
function under(pid: number, text: string): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out.filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}
const alive = (pid: number) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false; // gone between the listing and the read
  }
};
const until = async (what: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (what()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return what();
};

/**
 * The kill -9 scenario, observed: started beside the faults build (which waits mostly on its time
 * limit), so the two overlap; its test awaits the observations. Every wait is on a condition.
 */
let killRun: Promise<KillObservations> | undefined;
/** Starts the scenario once; a failure is kept for its test to report, never an unhandled rejection. */
function startKillScenario(): Promise<KillObservations> {
  if (!killRun) {
    killRun = killScenario();
    killRun.catch(() => undefined);
  }
  return killRun;
}
interface KillObservations {
  vitestStarted: boolean;
  aliveWhileSpinning: boolean;
  runFolderFound: boolean;
  vitestGone: boolean;
  runFolderGone: boolean;
}

async function killScenario(): Promise<KillObservations> {
  const work = mkdtempSync(join(tmpdir(), 'verify-kill-'));
  const chapters = join(work, 'chapters');
  cpSync(join(root, 'tests/fixtures/chapters-faults/02-sync-loop'), join(chapters, '02-sync-loop'), {
    recursive: true,
  });
  // The build, as a process of its own, with a time limit it will never reach.
  const script = `import { findChapters } from ${JSON.stringify(join(root, 'src/find.ts'))};
    import { verifyChapters } from ${JSON.stringify(join(root, 'src/verify.ts'))};
    const chapters = findChapters(${JSON.stringify(chapters)}, ${JSON.stringify(root)});
    await verifyChapters(chapters, { root: ${JSON.stringify(root)}, timeLimit: 600 });`;
  const builder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    stdio: 'ignore',
  });
  const seen: KillObservations = {
    vitestStarted: false,
    aliveWhileSpinning: false,
    runFolderFound: false,
    vitestGone: false,
    runFolderGone: false,
  };
  try {
    let vitest: number[] = [];
    // Wait until the spec is spinning: its vitest process has been running a while.
    seen.vitestStarted = await until(() => {
      vitest = under(builder.pid as number, 'vitest.mjs');
      return vitest.length > 0;
    }, 120_000);
    if (!seen.vitestStarted) return seen;
    await new Promise((r) => setTimeout(r, 3000));
    seen.aliveWhileSpinning = vitest.every(alive);
    // The run's temporary folder, from the process's command line (--config DIR/vitest.config.mjs).
    const config = /--config\0([^\0]+)\/vitest\.config\.mjs/.exec(
      readFileSync(`/proc/${vitest[0]}/cmdline`, 'utf8'),
    )?.[1] as string;
    seen.runFolderFound = existsSync(config);
    builder.kill('SIGKILL');
    seen.vitestGone = await until(() => !vitest.some(alive), 60_000);
    // and its temporary folder went with it (the build's own clean-up never ran)
    seen.runFolderGone = await until(() => !existsSync(config), 30_000);
    return seen;
  } finally {
    builder.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
}
