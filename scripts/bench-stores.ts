/**
 * `npx tsx scripts/bench-stores.ts`: drives chapter 20's snippet on each session store with many
 * concurrent sessions, using autocannon over loopback HTTP. The snippet runs as a reader would run
 * it, in its own Node process (`node --import tsx chapters/20-choosing-a-store/app.ts`), with the
 * store chosen by SQLITE_PATH or REDIS_URL, so that the load generator does not share its CPU time.
 *
 * For each store (memory as a baseline, SQLite in a temp file, Redis on its own loopback
 * redis-server): SESSIONS clients each log in as a distinct user (one POST /login per
 * connection), then READS reads of GET /profile per session run on SESSIONS connections, each
 * connection carrying its own session cookie. Every profile answer is checked against the user that
 * connection logged in as. Prints requests per second, latency p50/p97.5/p99, and the number of
 * sessions whose data was lost (a read that was not 200) or mixed up (another user's ID).
 *
 * Bounded: SESSIONS (default 200) x READS (default 50) requests per store, and each phase is
 * stopped after PHASE_TIMEOUT_S seconds (default 60) whatever happens.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRedisServer, freePort, startRedis, stopChild, type RedisHandle } from '../src/testkit/redis.ts';

const SESSIONS = Number(process.env.SESSIONS ?? 200);
const READS = Number(process.env.READS ?? 50);
const PHASE_TIMEOUT_S = Number(process.env.PHASE_TIMEOUT_S ?? 60);
const SECRET = 'bench-stores-secret';
const SNIPPET = join(import.meta.dirname, '..', 'chapters', '20-choosing-a-store', 'app.ts');

/** Starts the snippet in its own process on a free loopback port; resolves once it listens. */
async function startSnippet(env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', SNIPPET], {
    env: { ...process.env, NODE_ENV: 'development', PORT: String(port), SESSION_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the snippet did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the snippet exited with code ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}

// autocannon ships no types: the few parts used here, typed by hand.
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  onResponse?: (
    status: number,
    body: string,
    context: Record<string, unknown>,
    headers: Record<string, string | string[]>,
  ) => void;
}
interface AutocannonClient {
  /**
   * The client's own request list. A `requests` option would be one array shared by every client
   * (and `setHeaders` on one client changes it for all), so each client gets its own list here.
   */
  requestIterator: { setRequests(requests: AutocannonRequest[]): void };
}
interface Histogram {
  average: number;
  p50: number;
  p97_5: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  stop(): void;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  amount?: number;
  maxConnectionRequests?: number;
  timeout?: number;
  setupClient?: (client: AutocannonClient) => void;
}) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** A response header by name, whatever its case; the first value when repeated. */
function header(headers: Record<string, string | string[]>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

interface PhaseFigures {
  rps: number;
  p50: number;
  p975: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
}

function figures(result: AutocannonResult): PhaseFigures {
  const total = result['2xx'] + result.non2xx;
  return {
    rps: total / result.duration,
    p50: result.latency.p50,
    p975: result.latency.p97_5,
    p99: result.latency.p99,
    total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}

/** Runs one autocannon phase, stopping it after PHASE_TIMEOUT_S whatever happens. */
async function run(options: Parameters<Autocannon>[0]): Promise<AutocannonResult> {
  const instance = autocannon(options);
  const guard = setTimeout(() => instance.stop(), PHASE_TIMEOUT_S * 1000);
  try {
    return await instance;
  } finally {
    clearTimeout(guard);
  }
}

interface StoreReport {
  name: string;
  login: PhaseFigures;
  read: PhaseFigures;
  loggedIn: number;
  lost: number;
  mixed: number;
}

async function bench(name: string, env: Record<string, string>): Promise<StoreReport> {
  const snippet = await startSnippet(env);
  const url = snippet.url;
  try {
    // Phase 1: one login per connection, user IDs 1..SESSIONS.
    const cookies = new Map<number, string>();
    let nextUser = 1;
    const login = await run({
      url,
      connections: SESSIONS,
      maxConnectionRequests: 1,
      amount: SESSIONS,
      timeout: 10,
      setupClient: (client) => {
        const user = nextUser++;
        client.requestIterator.setRequests([
          {
            method: 'POST',
            path: '/login',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: `userId=${user}`,
            onResponse: (status, _body, _context, headers) => {
              const setCookie = header(headers, 'set-cookie');
              if (status === 200 && setCookie) cookies.set(user, setCookie.split(';')[0] ?? '');
            },
          },
        ]);
      },
    });

    // Phase 2: READS reads per session, each connection with its own session cookie.
    const users = [...cookies.keys()];
    const lost = new Set<number>();
    const mixed = new Set<number>();
    let nextClient = 0;
    const read = await run({
      url,
      connections: users.length,
      amount: users.length * READS,
      timeout: 10,
      setupClient: (client) => {
        const user = users[nextClient++ % users.length] ?? 0;
        client.requestIterator.setRequests([
          {
            method: 'GET',
            path: '/profile',
            headers: { cookie: cookies.get(user) ?? '' },
            onResponse: (status, body) => {
              if (status !== 200) lost.add(user);
              else if (body !== `User profile for user ID: ${user}`) mixed.add(user);
            },
          },
        ]);
      },
    });

    // A last check outside autocannon: every session still answers with its own user.
    for (const user of users) {
      const res = await fetch(`${url}/profile`, { headers: { cookie: cookies.get(user) ?? '' } });
      const text = await res.text();
      if (res.status !== 200) lost.add(user);
      else if (text !== `User profile for user ID: ${user}`) mixed.add(user);
    }
    for (let user = 1; user <= SESSIONS; user++) if (!cookies.has(user)) lost.add(user);

    return {
      name,
      login: figures(login),
      read: figures(read),
      loggedIn: cookies.size,
      lost: lost.size,
      mixed: mixed.size,
    };
  } finally {
    await snippet.stop();
  }
}

function print(reports: StoreReport[]): void {
  const rows = reports.flatMap((r) =>
    (['login', 'read'] as const).map((phase) => {
      const f = r[phase];
      return {
        store: r.name,
        phase: phase === 'login' ? 'POST /login' : 'GET /profile',
        requests: f.total,
        'req/s': Math.round(f.rps),
        'p50 ms': f.p50,
        'p97.5 ms': f.p975,
        'p99 ms': f.p99,
        'non-2xx': f.non2xx,
        errors: f.errors,
        timeouts: f.timeouts,
      };
    }),
  );
  console.table(rows);
  console.table(
    reports.map((r) => ({
      store: r.name,
      sessions: SESSIONS,
      'logged in': r.loggedIn,
      lost: r.lost,
      'mixed up': r.mixed,
    })),
  );
}

async function main(): Promise<void> {
  console.log(
    `bench-stores: ${SESSIONS} sessions, ${READS} reads each, Node ${process.version}, loopback only, ` +
      `${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(2)} (figures are only comparable on an idle machine)`,
  );
  const reports: StoreReport[] = [];
  reports.push(await bench('memory (baseline)', {}));

  const dir = mkdtempSync(join(tmpdir(), 'bench-stores-'));
  try {
    reports.push(await bench('sqlite', { SQLITE_PATH: join(dir, 'sessions.db') }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  let redis: RedisHandle | undefined;
  if (process.env.REDIS_URL || findRedisServer()) {
    redis = await startRedis();
    try {
      reports.push(await bench('redis', { REDIS_URL: redis.url, REDIS_PREFIX: `bench:${process.pid}:` }));
    } finally {
      await redis.stop();
    }
  } else {
    console.log('redis: skipped (no REDIS_URL and no redis-server on PATH)');
  }

  print(reports);
  if (reports.some((r) => r.lost > 0 || r.mixed > 0)) process.exitCode = 1;
}

await main();
